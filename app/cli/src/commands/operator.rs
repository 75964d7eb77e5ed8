//! The operator's commands (signer: the admin; `init`: the upgrade authority).
use super::Ctx;
use crate::operator::{DeploymentFile, PassMetadataFile, RulesFile};
use anyhow::{anyhow, Result};
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::{ix, read, Pubkey, Signer};
use serde_json::json;
use std::path::Path;

/// `init --config FILE`: initialises the program from a deployment file.
pub fn init(ctx: &mut Ctx, config: &Path) -> Result<()> {
    let args = DeploymentFile::read(config)?.initialize_args()?;
    let admin = ctx.signer()?.pubkey();
    let detail = json!({"admin": admin.to_string(), "crank": args.crank.to_string(),
        "oracles": args.oracles.iter().map(|k| k.to_string()).collect::<Vec<_>>()});
    ctx.transact("init", &[ix::initialize(&admin, args)], detail)
}

/// `config show`: the live configuration, as a deployment file (no keypair needed).
pub fn config_show(ctx: &mut Ctx) -> Result<()> {
    let config =
        read::config(&mut ctx.rpc)?.ok_or_else(|| anyhow!("the program is not initialised on this cluster"))?;
    let file = DeploymentFile {
        crank: Some(config.crank.to_string()),
        oracles: config.oracles.iter().map(|k| k.to_string()).collect(),
        rules: RulesFile::from_rules(&config.rules),
        pass_metadata: PassMetadataFile::from_metadata(&config.pass_metadata),
    };
    if ctx.json {
        let mut v = serde_json::to_value(&file)?;
        v["admin"] = json!(config.admin.to_string());
        v["pending_admin"] = json!(config.pending_admin.map(|k| k.to_string()));
        v["paused"] = json!(config.paused);
        v["rules_base_units"] = json!({"creator_min_spent_base_units": config.rules.creator_min_spent_base_units});
        v["round_anchor"] = json!({"window": config.round_anchor.window, "round": config.round_anchor.round});
        println!("{v}");
    } else {
        println!("# admin = {}", config.admin);
        if let Some(p) = config.pending_admin {
            println!("# pending admin = {p}");
        }
        println!("# paused = {}", config.paused);
        print!("{}", toml::to_string(&file)?);
    }
    Ok(())
}

/// `config update --file FILE`: replaces the rules and the pass metadata.
pub fn config_update(ctx: &mut Ctx, file: &Path) -> Result<()> {
    let (rules, meta) = DeploymentFile::read(file)?.update_parts()?;
    let admin = ctx.signer()?.pubkey();
    ctx.transact("config update", &[ix::update_config(&admin, Some(rules), Some(meta))], json!({}))
}

/// `pause` / `unpause`.
pub fn set_paused(ctx: &mut Ctx, paused: bool) -> Result<()> {
    let admin = ctx.signer()?.pubkey();
    let what = if paused { "pause" } else { "unpause" };
    ctx.transact(what, &[ix::set_paused(&admin, paused)], json!({"paused": paused}))
}

/// `revoke WALLET ROLE --reason CODE`.
pub fn revoke(ctx: &mut Ctx, wallet: Pubkey, role: Role, reason: u16) -> Result<()> {
    let admin = ctx.signer()?.pubkey();
    let member = read::member(&mut ctx.rpc, role, &wallet)?
        .ok_or_else(|| anyhow!("{wallet} is not a {} member", role.as_str()))?;
    // The rent of a held pass goes back to whoever paid the claim.
    let payer = member.header().pass_rent_payer;
    let payer = if payer == Pubkey::default() { wallet } else { payer };
    let detail = json!({"wallet": wallet.to_string(), "role": role.as_str(), "reason_code": reason});
    ctx.transact("revoke", &[ix::revoke(&admin, role, &wallet, &payer, reason)], detail)
}

/// `reinstate WALLET ROLE`.
pub fn reinstate(ctx: &mut Ctx, wallet: Pubkey, role: Role) -> Result<()> {
    let admin = ctx.signer()?.pubkey();
    let detail = json!({"wallet": wallet.to_string(), "role": role.as_str()});
    ctx.transact("reinstate", &[ix::reinstate(&admin, role, &wallet)], detail)
}

/// `oracle add KEY` / `oracle remove KEY`.
pub fn oracle(ctx: &mut Ctx, key: Pubkey, add: bool) -> Result<()> {
    let admin = ctx.signer()?.pubkey();
    let detail = json!({"oracle": key.to_string()});
    if add {
        ctx.transact("oracle add", &[ix::add_oracle(&admin, key)], detail)
    } else {
        ctx.transact("oracle remove", &[ix::remove_oracle(&admin, key)], detail)
    }
}

/// `crank set KEY`.
pub fn crank_set(ctx: &mut Ctx, key: Pubkey) -> Result<()> {
    let admin = ctx.signer()?.pubkey();
    ctx.transact("crank set", &[ix::set_crank(&admin, key)], json!({"crank": key.to_string()}))
}

/// `admin propose KEY`.
pub fn admin_propose(ctx: &mut Ctx, key: Pubkey) -> Result<()> {
    let admin = ctx.signer()?.pubkey();
    ctx.transact("admin propose", &[ix::propose_admin(&admin, Some(key))], json!({"pending": key.to_string()}))
}

/// `admin accept` (signed by the proposed key).
pub fn admin_accept(ctx: &mut Ctx) -> Result<()> {
    let me = ctx.signer()?.pubkey();
    ctx.transact("admin accept", &[ix::accept_admin(&me)], json!({"admin": me.to_string()}))
}
