//! `keeper refused` and `keeper retry`: what the keeper keeps of the facts
//! the program refused for good (`pictor_vip_keeper::keeper::state`).
use super::Ctx;
use anyhow::Result;
use pictor_vip_keeper::feed::format_rfc3339;
use pictor_vip_keeper::keeper::state::{self, State};
use pictor_vip_sdk::state::Role;
use serde_json::json;
use std::path::Path;

/// `keeper refused`: the facts the keeper will not send again, as a table
/// or (`--json`) an array. No keypair needed; the keeper may be running.
pub fn refused(ctx: &mut Ctx, dir: &Path) -> Result<()> {
    let cluster = ctx.rpc.genesis_hash()?;
    let program = pictor_vip_sdk::program::ID;
    let data = State::peek(dir, &cluster, &program)?;
    if ctx.json {
        let list: Vec<_> = data
            .refused
            .values()
            .map(|r| {
                json!({"role": r.role, "wallet": r.wallet, "seq": r.seq, "kind": r.kind, "reason": r.reason, "line": r.line,
                       "refused_at": format_rfc3339(r.refused_ts), "fact_sha256": r.fact})
            })
            .collect();
        println!("{}", json!({"state_file": state::path_in(dir, &cluster, &program), "refused": list}));
        return Ok(());
    }
    println!("{}", state::path_in(dir, &cluster, &program).display());
    if data.refused.is_empty() {
        println!("no fact refused for good");
    }
    for r in data.refused.values() {
        println!(
            "{} {} seq {} ({}, {}): {} [refused {}]",
            r.role,
            r.wallet,
            r.seq,
            r.kind,
            r.line,
            r.reason,
            format_rfc3339(r.refused_ts)
        );
    }
    Ok(())
}

/// `keeper retry ROLE WALLET SEQ`: forgets one refusal, so the next keeper
/// run sends the fact again (if the member's account does not hold a later
/// one). Refused while a keeper runs on the same state.
pub fn retry(ctx: &mut Ctx, dir: &Path, role: Role, wallet: &str, seq: u64) -> Result<()> {
    let cluster = ctx.rpc.genesis_hash()?;
    let r = state::retry(dir, &cluster, &pictor_vip_sdk::program::ID, role, wallet, seq)?;
    if ctx.json {
        println!("{}", json!({"retry": {"role": role.as_str(), "wallet": r.wallet, "seq": r.seq, "reason": r.reason}}));
    } else {
        println!(
            "{} seq {} ({}) is sent again at the keeper's next start (it was refused: {})",
            r.wallet,
            r.seq,
            role.as_str(),
            r.reason
        );
    }
    Ok(())
}
