//! What the job distribution engine (`pictor-vip-dispatch`) reads from the
//! chain: both roles' standings (the SDK's `standings`, wallets written in
//! base58) and the GPU classes (the configuration's tier table, the same
//! one scoring uses). Shared by `pictor-vip dispatch`, `POST /api/dispatch`
//! and the demo.
use anyhow::{anyhow, Result};
use pictor_vip_dispatch::{ClassMin, GpuClasses, RoleStandings, Standing, Standings};
use pictor_vip_sdk::read;
use pictor_vip_sdk::standings::{self as chain, RoleStandings as ChainStandings};
use pictor_vip_sdk::state::{Config, Role};
use pictor_vip_sdk::transport::Transport;

/// The engine's form of one role's standings from the chain.
pub fn role_standings(s: Option<&ChainStandings>) -> RoleStandings {
    let Some(s) = s else { return RoleStandings::default() };
    RoleStandings {
        round: Some(s.round),
        members: s
            .members
            .iter()
            .map(|(w, st)| (w.to_string(), Standing { rank: st.rank, priority: st.priority }))
            .collect(),
    }
}

/// The GPU classes of the configuration's tier table.
pub fn classes_of(config: &Config) -> Result<GpuClasses> {
    let table = config
        .rules
        .scoring
        .gpu_tiers
        .iter()
        .map(|t| ClassMin { min_vram_gb: u32::from(t.min_vram_gb), min_hashpower: t.min_hashpower })
        .collect();
    GpuClasses::new(table).map_err(|e| anyhow!("the configuration's GPU tier table: {e}"))
}

/// The engine's form of both roles' standings from the chain.
pub fn standings_of(creator: Option<&ChainStandings>, worker: Option<&ChainStandings>) -> Standings {
    Standings { creator: role_standings(creator), worker: role_standings(worker) }
}

/// Both roles' standings of their latest finalised rounds, read from the chain.
pub fn chain_standings(t: &mut dyn Transport) -> Result<Standings> {
    let creator = chain::standings(t, Role::Creator)?;
    let worker = chain::standings(t, Role::Worker)?;
    Ok(standings_of(creator.as_ref(), worker.as_ref()))
}

/// The GPU classes of the cluster's configuration.
pub fn chain_classes(t: &mut dyn Transport) -> Result<GpuClasses> {
    let config = read::config(t)?.ok_or_else(|| anyhow!("the program is not initialised on this cluster"))?;
    classes_of(&config)
}
