//! The program's events, as an indexer reads them. Every state change emits
//! one (`pictor_vip::events`), as an **inner instruction** of the program
//! (Anchor's event CPI): data = Anchor's event tag (8 bytes), the event's
//! discriminator (8 bytes), its Borsh fields. An RPC node returns them in
//! `getTransaction`'s inner instructions ([`crate::transport::Rpc::program_events`]).
use anchor_lang::{AnchorDeserialize, Discriminator};
use pictor_vip::events as ev;
use solana_pubkey::Pubkey;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::{EncodedTransactionWithStatusMeta, UiInstruction};
use std::str::FromStr;

macro_rules! program_events {
    ($($name:ident),* $(,)?) => {
        /// An event of the program, decoded.
        #[derive(Debug, Clone)]
        #[allow(missing_docs)]
        pub enum ProgramEvent {
            $($name(ev::$name),)*
        }

        impl ProgramEvent {
            /// The event's name (its Rust type's).
            pub fn name(&self) -> &'static str {
                match self {
                    $(ProgramEvent::$name(_) => stringify!($name),)*
                }
            }

            /// Decodes an event from its discriminator and Borsh bytes.
            fn from_parts(discriminator: &[u8], mut body: &[u8]) -> Option<ProgramEvent> {
                $(if discriminator == ev::$name::DISCRIMINATOR {
                    return ev::$name::deserialize(&mut body).ok().map(ProgramEvent::$name);
                })*
                None
            }
        }
    };
}

program_events!(
    ConfigInitialized,
    ConfigUpdated,
    PausedSet,
    OracleChanged,
    CrankSet,
    AdminProposed,
    AdminAccepted,
    MemberCreated,
    CreatorRecharged,
    CreatorSpent,
    CreatorFramesRendered,
    WorkerDayReported,
    WorkerGpuReported,
    ScoreFrozen,
    PassClaimed,
    PassRevoked,
    MemberReinstated,
    PassBurnSynced,
    RoundOpened,
    RoundBatchRanked,
    RoundFinalised,
    RoundAbandoned,
    RewardFunded,
    RewardsCredited,
    RewardsSettled,
    RewardWithdrawn,
    RewardForfeited,
    RoundNumbersRaised,
);

/// Decodes the data of an inner instruction of the program: `None` unless
/// it is an event (Anchor's event tag, then a known event).
pub fn decode(data: &[u8]) -> Option<ProgramEvent> {
    let tag = anchor_lang::event::EVENT_IX_TAG_LE;
    let rest = data.strip_prefix(tag)?;
    if rest.len() < 8 {
        return None;
    }
    ProgramEvent::from_parts(&rest[..8], &rest[8..])
}

/// The program's events in a transaction fetched with `getTransaction`
/// (binary encoding, so the account keys can be read), in order. Only inner
/// instructions the program itself ran count: anyone can put the tag in an
/// instruction of another program.
pub fn from_transaction(tx: &EncodedTransactionWithStatusMeta) -> Vec<ProgramEvent> {
    let (Some(decoded), Some(meta)) = (tx.transaction.decode(), tx.meta.as_ref()) else { return Vec::new() };
    let mut keys: Vec<Pubkey> = decoded.message.static_account_keys().to_vec();
    if let OptionSerializer::Some(loaded) = &meta.loaded_addresses {
        for key in loaded.writable.iter().chain(&loaded.readonly) {
            keys.extend(Pubkey::from_str(key).ok());
        }
    }
    let OptionSerializer::Some(inner) = &meta.inner_instructions else { return Vec::new() };
    let program = crate::pda::program_id();
    let mut out = Vec::new();
    for group in inner {
        for ix in &group.instructions {
            let UiInstruction::Compiled(c) = ix else { continue };
            if keys.get(usize::from(c.program_id_index)) != Some(&program) {
                continue;
            }
            let Ok(data) = bs58::decode(&c.data).into_vec() else { continue };
            out.extend(decode(&data));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Event;

    #[test]
    fn an_event_round_trips_and_other_data_is_not_an_event() {
        let e = ev::WorkerDayReported {
            wallet: Pubkey::new_unique(),
            seq: 7,
            fact_ts: 1_700_000_000,
            day_index: 19_000,
            uptime_minutes: 960,
            frames_completed: 3,
            jobs_failed: 1,
            lifetime_uptime_minutes: 960,
            ts: 1_700_000_100,
        };
        let mut data = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
        data.extend(e.data());
        match decode(&data) {
            Some(ProgramEvent::WorkerDayReported(d)) => {
                assert_eq!((d.wallet, d.seq, d.uptime_minutes), (e.wallet, 7, 960))
            }
            other => panic!("decoded {other:?}"),
        }
        assert!(decode(&e.data()).is_none(), "no event tag");
        assert!(decode(&data[..12]).is_none(), "truncated");
        let mut unknown = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
        unknown.extend([9u8; 16]);
        assert!(decode(&unknown).is_none(), "unknown discriminator");
    }
}
