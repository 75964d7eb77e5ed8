//! The crank: drives a ranking round of one role to completion, resuming a
//! round a crashed crank left open, and syncing passes their holders burned
//! before it opens a new one. The order is computed with the program's
//! own `Member::order_key` and `ranking::order`; the program re-verifies it.
use crate::ix;
use crate::pda;
use crate::ranking;
use crate::read;
use crate::state::{Board, Member, OpenRound, OrderKey, PassStatus, Role};
use crate::transport::{transaction_size, unsigned_transaction, LookupTable, SendError, Transport, PACKET_DATA_SIZE};
use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
use anchor_spl::token_2022::spl_token_2022::state::Mint;
use anyhow::{anyhow, bail, Context, Result};
use pictor_vip::constants::{MAX_RANK_BATCH, MAX_TX_ACCOUNT_LOCKS};
use solana_address_lookup_table_interface::instruction as alt;
use solana_address_lookup_table_interface::state::LOOKUP_TABLE_MAX_ADDRESSES;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_pubkey::Pubkey;
use solana_signer::Signer;
use std::collections::HashSet;

/// What a completed round looked like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundOutcome {
    /// Role ranked.
    pub role: Role,
    /// Round number.
    pub round: u32,
    /// Members ranked.
    pub members: u32,
    /// Members flagged priority.
    pub priority: u32,
    /// `rank_batch` transactions sent by this run.
    pub batches: usize,
    /// Lookup-table transactions (create, extend) sent by this run.
    pub table_transactions: usize,
    /// Whether this run resumed a round left open.
    pub resumed: bool,
}

/// The members of `role` that count in `open`, in the round's order, with their keys.
pub fn round_order(t: &mut dyn Transport, role: Role, open: &OpenRound) -> Result<Vec<(Pubkey, Member, OrderKey)>> {
    let mut entries = Vec::new();
    for (key, m) in read::members(t, role)? {
        if m.counts_in_round(open.round) {
            let order_key = m.order_key(open).map_err(|e| anyhow!("score of {key}: {e}"))?;
            entries.push((key, m, order_key));
        }
    }
    entries.sort_by(|a, b| ranking::order(&a.2, &b.2));
    Ok(entries)
}

/// Index of `rank_batch` in [`rank_batch_instructions`] (after the compute-unit limit).
pub const RANK_BATCH_INDEX: usize = 1;

/// The transaction instructions of one ranked batch: a compute-unit limit, then `rank_batch`.
pub fn rank_batch_instructions(crank: &Pubkey, role: Role, round: u32, members: &[Pubkey]) -> [Instruction; 2] {
    let batch = ix::rank_batch(crank, role, round, members);
    [ComputeBudgetInstruction::set_compute_unit_limit(crate::compute::limit_for(std::slice::from_ref(&batch))), batch]
}

/// Largest `rank_batch` that fits one legacy transaction signed by `fee_payer` and `crank`.
pub fn max_rank_batch(fee_payer: &Pubkey, crank: &Pubkey, role: Role) -> usize {
    let fits = |n: usize| {
        let members: Vec<Pubkey> = (0..n).map(|_| Pubkey::new_unique()).collect();
        let tx = unsigned_transaction(&rank_batch_instructions(crank, role, 1, &members), fee_payer);
        transaction_size(&tx) <= PACKET_DATA_SIZE
    };
    let mut n = 1;
    while n < MAX_RANK_BATCH && fits(n + 1) {
        n += 1;
    }
    n
}

/// Largest `rank_batch` one v0 transaction signed by `fee_payer` and
/// `crank` holds when every member resolves through a lookup table: bounded
/// by the 64 accounts a transaction may lock and by 1,232 bytes.
pub fn max_lookup_rank_batch(fee_payer: &Pubkey, crank: &Pubkey, role: Role) -> usize {
    let fits = |n: usize| {
        let members: Vec<Pubkey> = (0..n).map(|_| Pubkey::new_unique()).collect();
        let mut addresses = vec![pda::board(role)];
        addresses.extend(&members);
        let table = AddressLookupTableAccount { key: Pubkey::new_unique(), addresses };
        let (ixs, _) = crate::compute::with_budget(&rank_batch_instructions(crank, role, 1, &members), 1);
        let Ok(message) = v0::Message::try_compile(fee_payer, &ixs, &[table], Default::default()) else {
            return false;
        };
        let locked = message.account_keys.len()
            + message
                .address_table_lookups
                .iter()
                .map(|l| l.writable_indexes.len() + l.readonly_indexes.len())
                .sum::<usize>();
        let signatures = usize::from(message.header.num_required_signatures);
        let size = 1 + 64 * signatures + VersionedMessage::V0(message).serialize().len();
        locked <= MAX_TX_ACCOUNT_LOCKS && size <= PACKET_DATA_SIZE
    };
    let mut n = 1;
    while n < MAX_RANK_BATCH && fits(n + 1) {
        n += 1;
    }
    n
}

/// Addresses per lookup-table extension transaction (32 bytes each).
pub const LOOKUP_EXTEND_CHUNK: usize = 20;

/// The lookup tables of `role` that `crank` keeps: tables whose authority
/// is the crank and whose first address is the role's board.
pub fn role_lookup_tables(t: &mut dyn Transport, crank: &Pubkey, role: Role) -> Result<Vec<LookupTable>> {
    let board = pda::board(role);
    let mut tables: Vec<LookupTable> =
        t.lookup_tables(crank)?.into_iter().filter(|tb| tb.addresses.first() == Some(&board)).collect();
    tables.sort_by_key(|tb| tb.key);
    Ok(tables)
}

/// Makes every address of `members` resolvable through the role's lookup
/// tables: kept across rounds, extended with the members they lack (a new
/// table when the last is full), then waited on until the extension is
/// active (the slot after it). Returns the role's tables and how many
/// transactions that took. Safe to re-run.
pub fn prepare_lookup_tables(
    t: &mut dyn Transport,
    crank: &Keypair,
    role: Role,
    members: &[Pubkey],
) -> Result<(Vec<LookupTable>, usize)> {
    let authority = crank.pubkey();
    let payer = t.fee_payer();
    let mut tables = role_lookup_tables(t, &authority, role)?;
    let known: HashSet<Pubkey> = tables.iter().flat_map(|tb| tb.addresses.iter().copied()).collect();
    let mut pending: Vec<Pubkey> = members.iter().filter(|m| !known.contains(m)).copied().collect();
    if pending.is_empty() {
        return Ok((tables, 0));
    }
    let mut sent = 0;
    while !pending.is_empty() {
        let index = match tables.iter().position(|tb| tb.addresses.len() < LOOKUP_TABLE_MAX_ADDRESSES) {
            Some(i) => i,
            None => {
                // A table needs a recent slot that is already in SlotHashes.
                let slot = t.slot()?;
                t.wait_for_slot(slot + 2)?;
                let recent = t.slot()?.saturating_sub(1);
                let (create, key) = alt::create_lookup_table(authority, payer, recent);
                t.send(&[create], &[crank]).context("creating a lookup table")?;
                sent += 1;
                pending.insert(0, pda::board(role));
                tables.push(LookupTable { key, addresses: Vec::new(), last_extended_slot: 0 });
                tables.len() - 1
            }
        };
        let room = LOOKUP_TABLE_MAX_ADDRESSES - tables[index].addresses.len();
        let chunk: Vec<Pubkey> = pending.drain(..pending.len().min(room).min(LOOKUP_EXTEND_CHUNK)).collect();
        let extend = alt::extend_lookup_table(tables[index].key, authority, Some(payer), chunk.clone());
        t.send(&[extend], &[crank]).context("extending a lookup table")?;
        sent += 1;
        tables[index].addresses.extend(chunk);
    }
    let tables = role_lookup_tables(t, &authority, role)?;
    let newest = tables.iter().map(|tb| tb.last_extended_slot).max().unwrap_or(0);
    t.wait_for_slot(newest + 1)?;
    Ok((tables, sent))
}

/// How [`run_round`] drives a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundOptions {
    /// Members per `rank_batch`; 0: the most one transaction holds.
    pub batch_size: usize,
    /// Rank in v0 transactions through the role's lookup tables.
    pub lookup_tables: bool,
}

impl Default for RoundOptions {
    fn default() -> Self {
        RoundOptions { batch_size: 0, lookup_tables: true }
    }
}

fn board(t: &mut dyn Transport, role: Role) -> Result<Board> {
    read::board(t, role)?.ok_or_else(|| anyhow!("the {} board does not exist: run `init` first", role.as_str()))
}

/// Records every pass of `role` that its holder burned but nobody synced yet
/// (mint supply 0 or mint gone), so the next round does not rank it. Returns
/// how many were synced.
pub fn sync_burned_passes(t: &mut dyn Transport, role: Role) -> Result<usize> {
    let holders: Vec<(Pubkey, Pubkey)> = read::members(t, role)?
        .into_iter()
        .filter(|(_, m)| m.pass_status() == PassStatus::Active)
        .map(|(_, m)| (m.wallet(), m.header().pass_rent_payer))
        .collect();
    let mints: Vec<Pubkey> = holders.iter().map(|(w, _)| pda::pass_mint(role, w)).collect();
    let accounts = t.get_accounts(&mints)?;
    let mut synced = 0;
    for ((wallet, rent_payer), mint) in holders.iter().zip(accounts) {
        let supply = match &mint {
            Some(a) if a.owner == anchor_spl::token_2022::ID => {
                StateWithExtensions::<Mint>::unpack(&a.data)
                    .map_err(|e| anyhow!("pass mint of {wallet}: {e}"))?
                    .base
                    .supply
            }
            _ => 0,
        };
        if supply == 0 {
            t.send(&[ix::sync_pass(role, wallet, rent_payer)], &[])
                .with_context(|| format!("sync_pass of {wallet}"))?;
            synced += 1;
        }
    }
    Ok(synced)
}

/// Opens (or resumes) a round of `role` and ranks every holder in batches of
/// at most `batch_size`, then finalises it. `progress(ranked, total)` is
/// called after each batch. Safe to re-run after a crash at any point.
pub fn run_round(
    t: &mut dyn Transport,
    crank: &Keypair,
    role: Role,
    options: RoundOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<RoundOutcome> {
    let crank_key = crank.pubkey();
    let mut resumed = true;
    let open = match board(t, role)?.open {
        Some(open) => open,
        None => {
            resumed = false;
            sync_burned_passes(t, role)?;
            t.send(&[ix::open_round(&crank_key, role)], &[crank]).context("open_round")?;
            board(t, role)?.open.ok_or_else(|| anyhow!("round did not open"))?
        }
    };
    let order = round_order(t, role, &open)?;
    if order.len() != open.members as usize {
        bail!(
            "round {} of {} expects {} holders but {} were found: is the account index complete?",
            open.round,
            role.as_str(),
            open.members,
            order.len()
        );
    }
    let done = order.iter().take_while(|(_, m, _)| m.rank_in(open.round).is_some()).count();
    if done != open.ranked as usize || order[done..].iter().any(|(_, m, _)| m.rank_in(open.round).is_some()) {
        // Not a prefix of the order we compute: start over rather than guess.
        t.send(&[ix::abandon_round(&crank_key, role, open.round)], &[crank]).context("abandon_round")?;
        return run_round(t, crank, role, options, progress);
    }
    progress(open.ranked, open.members);
    let keys: Vec<Pubkey> = order[done..].iter().map(|(k, _, _)| *k).collect();
    let mut table_transactions = 0;
    let (tables, most) = if options.lookup_tables && !keys.is_empty() {
        let (tables, sent) = prepare_lookup_tables(t, crank, role, &keys)?;
        table_transactions = sent;
        let accounts: Vec<AddressLookupTableAccount> = tables.iter().map(LookupTable::account).collect();
        (accounts, max_lookup_rank_batch(&t.fee_payer(), &crank_key, role))
    } else {
        (Vec::new(), max_rank_batch(&t.fee_payer(), &crank_key, role))
    };
    let batch_size = if options.batch_size == 0 { most } else { options.batch_size.min(most) };
    let mut batches = 0;
    let mut ranked = open.ranked;
    for chunk in keys.chunks(batch_size.max(1)) {
        let ixs = rank_batch_instructions(&crank_key, role, open.round, chunk);
        let sent =
            if tables.is_empty() { t.send(&ixs, &[crank]) } else { t.send_v0(&ixs, &[crank], &tables).map(drop) };
        match sent {
            Ok(()) => {}
            // A retried batch that had landed: already ranked, move on.
            Err(e)
                if e.is(pictor_vip::errors::PictorError::AlreadyRanked)
                    && e.instruction_index() == Some(RANK_BATCH_INDEX) => {}
            Err(e) => return Err(anyhow::Error::new(e).context(format!("rank_batch at rank {}", ranked + 1))),
        }
        batches += 1;
        ranked += chunk.len() as u32;
        progress(ranked, open.members);
    }
    send_finalise(t, crank, role, open.round)?;
    Ok(RoundOutcome {
        role,
        round: open.round,
        members: open.members,
        priority: open.priority_count,
        batches,
        table_transactions,
        resumed,
    })
}

fn send_finalise(t: &mut dyn Transport, crank: &Keypair, role: Role, round: u32) -> Result<()> {
    match t.send(&[ix::finalise_round(&crank.pubkey(), role, round)], &[crank]) {
        Ok(()) => Ok(()),
        Err(SendError::Program { code: Some(c), .. })
            if c == u32::from(pictor_vip::errors::PictorError::NoOpenRound) =>
        {
            // Finalised by an earlier attempt whose confirmation was lost.
            match board(t, role)?.finalised {
                Some(f) if f.round == round => Ok(()),
                _ => bail!("round {round} is neither open nor finalised"),
            }
        }
        Err(e) => Err(anyhow::Error::new(e).context("finalise_round")),
    }
}
