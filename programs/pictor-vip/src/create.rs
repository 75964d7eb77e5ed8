//! Creating program-derived accounts that nobody can block.
//!
//! Anyone can send lamports to an address before its account exists.
//! `system_program::create_account` then fails for good, and Anchor 1.2.2's
//! `init` falls back to `create_account_allow_prefund`, which the 3.1
//! runtime does not implement. So every account this program creates goes
//! through [`create_pda`]: top up whatever is there to the rent-exempt
//! minimum, then `allocate` and `assign`, both signed by the PDA.
use crate::errors::PictorError;
use anchor_lang::prelude::*;
use anchor_lang::system_program;

/// Creates the PDA `target` (`seeds` include the bump) with `space` bytes,
/// owned by `owner` and holding at least `lamports`, paid by `payer`.
/// Lamports already at the address count towards the rent and stay there.
pub fn create_pda<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    seeds: &[&[u8]],
    space: usize,
    lamports: u64,
    owner: &Pubkey,
) -> Result<()> {
    require!(
        target.owner == &system_program::ID && target.data_is_empty(),
        if target.owner == &crate::ID { PictorError::AlreadyInitialized } else { PictorError::AccountNotCreatable }
    );
    let signer: &[&[&[u8]]] = &[seeds];
    let system_id = system_program.key();
    let current = target.lamports();
    if current == 0 {
        let accounts = system_program::CreateAccount { from: payer.clone(), to: target.clone() };
        return system_program::create_account(
            CpiContext::new_with_signer(system_id, accounts, signer),
            lamports,
            space as u64,
            owner,
        );
    }
    if current < lamports {
        let accounts = system_program::Transfer { from: payer.clone(), to: target.clone() };
        system_program::transfer(CpiContext::new(system_id, accounts), lamports - current)?;
    }
    let accounts = system_program::Allocate { account_to_allocate: target.clone() };
    system_program::allocate(CpiContext::new_with_signer(system_id, accounts, signer), space as u64)?;
    let accounts = system_program::Assign { account_to_assign: target.clone() };
    system_program::assign(CpiContext::new_with_signer(system_id, accounts, signer), owner)
}

/// [`create_pda`] owned by this program, rent-exempt for `space` bytes.
pub fn create_program_pda<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    seeds: &[&[u8]],
    space: usize,
) -> Result<()> {
    let lamports = Rent::get()?.minimum_balance(space);
    create_pda(payer, target, system_program, seeds, space, lamports, &crate::ID)
}

/// Writes `value` (discriminator and Borsh body) into a freshly created account.
pub fn write_account<T: AccountSerialize>(target: &AccountInfo, value: &T) -> Result<()> {
    let mut data = target.try_borrow_mut_data()?;
    let mut writer: &mut [u8] = &mut data;
    value.try_serialize(&mut writer)
}
