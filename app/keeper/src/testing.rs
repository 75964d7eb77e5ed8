//! Test support: an in-process cluster, initialised (unit tests only; the
//! crate itself links no runtime).
use pictor_vip_sdk::ix;
use pictor_vip_sdk::program::instructions::InitializeArgs;
use pictor_vip_sdk::state::{PassMetadata, Rules};
use pictor_vip_sdk::transport::{InProcess, Transport};
use pictor_vip_sdk::{Keypair, Pubkey, Signer};

/// An in-process cluster at `start` initialised with `rules`, its oracle
/// keys the returned oracle's and `more_oracles`: (runtime, admin, oracle,
/// crank), each key funded.
pub fn cluster(start: i64, rules: Rules, more_oracles: &[Pubkey]) -> (InProcess, Keypair, Keypair, Keypair) {
    let (admin, oracle, crank) = (Keypair::new(), Keypair::new(), Keypair::new());
    let mut runtime = InProcess::start(&admin.pubkey(), start).unwrap();
    for k in [&admin, &oracle, &crank] {
        runtime.airdrop(&k.pubkey(), 1_000_000_000_000).unwrap();
    }
    let pass_metadata = PassMetadata {
        creator_name: "Creator".into(),
        worker_name: "Worker".into(),
        symbol: "PVIP".into(),
        creator_uri: String::new(),
        worker_uri: String::new(),
    };
    let oracles = std::iter::once(oracle.pubkey()).chain(more_oracles.iter().copied()).collect();
    let args = InitializeArgs { crank: crank.pubkey(), oracles, rules, pass_metadata };
    runtime.send(&[ix::initialize(&admin.pubkey(), args)], &[&admin]).unwrap();
    (runtime, admin, oracle, crank)
}
