//! Wallets and readers: `status` and `leaderboard` (no keypair needed),
//! `claim` (the wallet signs), `sync` (anyone).
use super::Ctx;
use anyhow::{anyhow, bail, Result};
use pictor_vip_sdk::profile::{leaderboard, wallet_profile, RoleStatus, ScoreBreakdown, WalletProfile};
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::units::{format_token_amount, group_thousands};
use pictor_vip_sdk::{ix, read, Pubkey, Signer};
use pictor_vip_server::profile_json::{leaderboard_json, profile_json};
use serde_json::json;

/// `status WALLET`: the Profile of both roles.
pub fn status(ctx: &mut Ctx, wallet: Pubkey) -> Result<()> {
    let WalletProfile { creator, worker, .. } = wallet_profile(&mut ctx.rpc, &wallet)?;
    if ctx.json {
        println!("{}", profile_json(&wallet, &creator, &worker));
    } else {
        println!("{}\n{}", status_text(&wallet, Role::Creator, &creator), status_text(&wallet, Role::Worker, &worker));
    }
    Ok(())
}

/// One role's line of `status`.
pub fn status_text(wallet: &Pubkey, role: Role, s: &Option<RoleStatus>) -> String {
    let Some(s) = s else { return format!("{:>8}: no reports for {wallet}", role.as_str()) };
    let mut line = format!(
        "{:>8}: pass {:?}; {}{}",
        role.as_str(),
        s.pass,
        s.progress,
        if s.progress.eligible() { " (eligible)" } else { "" }
    );
    match &s.score_breakdown {
        Some(ScoreBreakdown::Creator(c)) => {
            line += &format!(
                "; score now {} points (recharges {} + frames {} + pass {})",
                group_thousands(c.total),
                group_thousands(c.recharge_points),
                group_thousands(c.frame_points),
                c.ownership_points
            )
        }
        Some(ScoreBreakdown::Worker(w)) => {
            line += &format!(
                "; score now {} points (uptime {} + jobs {} + GPU {} at {}.{:02}× + pass {})",
                group_thousands(w.total),
                w.uptime_points,
                group_thousands(w.job_points),
                group_thousands(w.gpu_points),
                w.gpu_multiplier_bps / 10_000,
                w.gpu_multiplier_bps % 10_000 / 100,
                w.ownership_points
            )
        }
        None => {}
    }
    match (&s.finalised_round, &s.rank) {
        (Some(r), Some(e)) => {
            line += &format!(
                "; round {}: rank {} of {}, {} points{}",
                r.round,
                e.rank,
                r.members,
                group_thousands(e.score),
                if e.priority { ", PRIORITY" } else { "" }
            )
        }
        (Some(r), None) => line += &format!("; not ranked in round {}", r.round),
        _ => {}
    }
    line += &format!("; {}", pictor_vip_server::benefits::benefit(role, s).sentence);
    if let Some((mint, decimals)) = s.reward_mint {
        line += &format!(
            "; rewards withdrawable: {} of {mint}",
            format_token_amount(s.reward_balance_base_units, decimals)
        );
    }
    line
}

/// `claim ROLE`: the keypair claims its own pass (and pays for it).
pub fn claim(ctx: &mut Ctx, role: Role) -> Result<()> {
    let me = ctx.signer()?.pubkey();
    // The Profile's Action builds the same transaction (`holder::claim`).
    let built = pictor_vip_sdk::holder::claim(&mut ctx.rpc, &me, role, &me)?
        .map_err(|r| anyhow!("{}: {r}", r.program_error()))?;
    let detail = json!({"wallet": me.to_string(), "role": role.as_str()});
    ctx.transact("claim", &built.instructions, detail)
}

/// `leaderboard ROLE [--limit N]`: the latest finalised round.
pub fn leaderboard_cmd(ctx: &mut Ctx, role: Role, limit: usize) -> Result<()> {
    let Some((round, rows)) = leaderboard(&mut ctx.rpc, role)? else {
        bail!("no finalised {} round yet", role.as_str());
    };
    if ctx.json {
        println!("{}", leaderboard_json(role, &round, &rows, limit));
    } else {
        println!(
            "{} round {}: {} members, {} priority",
            role.as_str(),
            round.round,
            round.members,
            round.priority_count
        );
        for r in rows.iter().take(limit) {
            println!(
                "#{:<4} {}  {:>10} points{}",
                r.entry.rank,
                r.wallet,
                group_thousands(r.entry.score),
                if r.entry.priority { "  PRIORITY" } else { "" }
            );
        }
    }
    Ok(())
}

/// `sync ROLE WALLET`: records that WALLET burned its pass (anyone may).
pub fn sync(ctx: &mut Ctx, role: Role, wallet: Pubkey) -> Result<()> {
    let member = read::member(&mut ctx.rpc, role, &wallet)?
        .ok_or_else(|| anyhow!("{wallet} is not a {} member", role.as_str()))?;
    let payer = member.header().pass_rent_payer;
    let detail = json!({"wallet": wallet.to_string(), "role": role.as_str()});
    ctx.transact("sync", &[ix::sync_pass(role, &wallet, &payer)], detail)
}
