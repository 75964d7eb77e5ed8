//! Rank rewards: fund a role's next round (admin), the pools and balances
//! (no keypair needed), withdraw (the wallet).
use super::Ctx;
use anyhow::{anyhow, Result};
use pictor_vip_sdk::state::{Role, RoundReward};
use pictor_vip_sdk::transport::{Rpc, Transport};
use pictor_vip_sdk::units::{format_token_amount, parse_token_amount};
use pictor_vip_sdk::{ix, pda, read, Pubkey, Signer};
use serde_json::json;

/// `rewards fund ROLE --mint M --amount X --top K`: from the admin's token account.
pub fn fund(ctx: &mut Ctx, role: Role, mint: Pubkey, amount: &str, top_k: u32) -> Result<()> {
    let admin = ctx.signer()?.pubkey();
    let (program, decimals) = mint_info(&mut ctx.rpc, &mint)?;
    let amount = parse_token_amount(amount, decimals).map_err(|e| anyhow!("--amount: {e}"))?;
    let funder = pda::reward_destination(&admin, &mint, &program);
    let detail = json!({"role": role.as_str(), "mint": mint.to_string(), "amount_base_units": amount, "top_k": top_k});
    ctx.transact("rewards fund", &[ix::fund_rewards(&admin, role, &mint, &program, &funder, amount, top_k)], detail)
}

/// `rewards withdraw ROLE`: the keypair's whole balance, to its own token account.
pub fn withdraw(ctx: &mut Ctx, role: Role) -> Result<()> {
    let me = ctx.signer()?.pubkey();
    // The Profile's Action builds the same transaction (`holder::withdraw`).
    let built = pictor_vip_sdk::holder::withdraw(&mut ctx.rpc, &me, role, &me)?
        .map_err(|r| anyhow!("{}: {r}", r.program_error()))?;
    let board = read::board(&mut ctx.rpc, role)?.ok_or_else(|| anyhow!("the program is not initialised"))?;
    let detail = json!({"role": role.as_str(), "wallet": me.to_string(), "mint": board.rewards.mint.to_string()});
    ctx.transact("rewards withdraw", &built.instructions, detail)
}

/// `rewards status [WALLET]`: both roles' pools, and what WALLET may withdraw.
pub fn status(ctx: &mut Ctx, wallet: Option<Pubkey>) -> Result<()> {
    let mut roles = Vec::new();
    for role in Role::ALL {
        let board = read::board(&mut ctx.rpc, role)?.ok_or_else(|| anyhow!("the program is not initialised"))?;
        let r = &board.rewards;
        let funded = r.mint != Pubkey::default();
        let vault = if funded { token_amount(&mut ctx.rpc, &r.vault)? } else { 0 };
        // What the wallet may withdraw: its balance and its latest finalised round's credit.
        let balance = match &wallet {
            Some(w) => read::member(&mut ctx.rpc, role, w)?.map(|m| m.header().withdrawable(board.finalised.as_ref())),
            None => None,
        };
        let open = board.open.as_ref().map(|o| o.reward);
        let last = board.finalised.as_ref().map(|f| (f.round, f.reward));
        if ctx.json {
            let reward = |x: &RoundReward| {
                json!({"amount_base_units": x.amount_base_units, "ranks": x.ranks,
                    "share_base_units": x.share_base_units, "credited_base_units": x.credited_base_units})
            };
            roles.push(json!({
                "role": role.as_str(), "mint": funded.then(|| r.mint.to_string()), "decimals": r.decimals,
                "vault_base_units": vault, "pending_base_units": r.pending_base_units, "pending_top_k": r.pending_top_k,
                "carry_base_units": r.carry_base_units, "credited_unwithdrawn_base_units": r.liability_base_units,
                "funded_total_base_units": r.funded_total_base_units, "withdrawn_total_base_units": r.withdrawn_total_base_units,
                "open_round": open.as_ref().map(reward), "last_round": last.as_ref().map(|(n, x)| json!({"round": n, "reward": reward(x)})),
                "wallet_balance_base_units": balance,
            }));
        } else if !funded {
            println!("{:>8}: no rewards funded yet", role.as_str());
        } else {
            let amt = |v: u64| format_token_amount(v, r.decimals);
            println!(
                "{:>8}: {} in the vault (mint {}); pending for the next round {} (top {}), carried {}, credited and not withdrawn {}",
                role.as_str(), amt(vault), r.mint, amt(r.pending_base_units),
                if r.pending_top_k == 0 { "priority count".to_string() } else { r.pending_top_k.to_string() },
                amt(r.carry_base_units), amt(r.liability_base_units)
            );
            if let Some((n, x)) = last {
                println!(
                    "          round {n}: {} shared by {} ranks, {} each",
                    amt(x.amount_base_units),
                    x.ranks,
                    amt(x.share_base_units)
                );
            }
            if let (Some(b), Some(w)) = (balance, wallet) {
                println!("          {w}: {} withdrawable", amt(b));
            }
        }
    }
    if ctx.json {
        println!("{}", json!({"roles": roles}));
    }
    Ok(())
}

/// The token program (the mint's owner) and decimals of `mint`.
fn mint_info(rpc: &mut Rpc, mint: &Pubkey) -> Result<(Pubkey, u8)> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Mint};
    let account = rpc.get_account(mint)?.ok_or_else(|| anyhow!("mint {mint} does not exist"))?;
    let state = StateWithExtensions::<Mint>::unpack(&account.data).map_err(|e| anyhow!("{mint} is not a mint: {e}"))?;
    Ok((account.owner, state.base.decimals))
}

/// The amount a token account holds, in base units (0 if it does not exist).
fn token_amount(rpc: &mut Rpc, account: &Pubkey) -> Result<u64> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Account};
    Ok(match rpc.get_account(account)? {
        Some(a) => StateWithExtensions::<Account>::unpack(&a.data).map_err(|e| anyhow!("{account}: {e}"))?.base.amount,
        None => 0,
    })
}
