//! Typed reads of the program's accounts through any [`Transport`].
use crate::error::{Error, Result};
use crate::pda;
use crate::state::{Board, Config, Member, Role};
use crate::transport::Transport;
use anchor_lang::AccountDeserialize;
use solana_pubkey::Pubkey;

/// A decoding error, with the account it came from.
fn at(e: Error, key: &Pubkey) -> Error {
    match e {
        Error::Decode { detail, .. } => Error::Decode { key: *key, detail },
        other => other,
    }
}

/// Decodes an Anchor account (discriminator checked).
pub fn decode<T: AccountDeserialize>(data: &[u8]) -> Result<T> {
    let mut slice = data;
    T::try_deserialize(&mut slice).map_err(|e| Error::Decode { key: Pubkey::default(), detail: e.to_string() })
}

fn fetch<T: AccountDeserialize>(t: &mut dyn Transport, key: &Pubkey) -> Result<Option<T>> {
    match t.get_account(key)? {
        Some(a) if a.owner == pda::program_id() => decode(&a.data).map(Some).map_err(|e| at(e, key)),
        _ => Ok(None),
    }
}

/// The config (`None` before `initialize`).
pub fn config(t: &mut dyn Transport) -> Result<Option<Config>> {
    fetch(t, &pda::config())
}

/// A role's board.
pub fn board(t: &mut dyn Transport, role: Role) -> Result<Option<Board>> {
    fetch(t, &pda::board(role))
}

/// Decodes a member account (either role; discriminator, size and layout version checked).
pub fn decode_member(data: &[u8]) -> Result<Member> {
    Member::decode(data).map_err(|e| Error::Decode { key: Pubkey::default(), detail: e.to_string() })
}

/// A member (`None` until the oracle first reported about it).
pub fn member(t: &mut dyn Transport, role: Role, wallet: &Pubkey) -> Result<Option<Member>> {
    Ok(members_of(t, &[(role, *wallet)])?.pop().flatten())
}

/// Several members at once, in order (`getMultipleAccounts` on a cluster),
/// each `None` until the oracle first reported about it.
pub fn members_of(t: &mut dyn Transport, members: &[(Role, Pubkey)]) -> Result<Vec<Option<Member>>> {
    let keys: Vec<Pubkey> = members.iter().map(|(role, wallet)| pda::member(*role, wallet)).collect();
    let accounts = t.get_accounts(&keys)?;
    members
        .iter()
        .zip(keys.iter().zip(accounts))
        .map(|((role, _), (key, account))| match account {
            Some(a) if a.owner == pda::program_id() => {
                let m = decode_member(&a.data).map_err(|e| at(e, key))?;
                if m.role() != *role {
                    return Err(Error::Decode { key: *key, detail: format!("not a {} member", role.as_str()) });
                }
                Ok(Some(m))
            }
            _ => Ok(None),
        })
        .collect()
}

/// Every member account of `role`, with its address.
pub fn members(t: &mut dyn Transport, role: Role) -> Result<Vec<(Pubkey, Member)>> {
    let mut out = Vec::new();
    for (key, account) in t.program_accounts(Member::discriminator(role))? {
        let m = decode_member(&account.data).map_err(|e| at(e, &key))?;
        out.push((key, m));
    }
    Ok(out)
}
