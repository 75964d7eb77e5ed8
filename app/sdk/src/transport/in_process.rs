use super::{
    caller_index, co_signed, sign_transaction, sign_transaction_partly, sign_v0_transaction, CoSign, LookupTable,
    SendError, Signed, Simulated, Submitted, Transport,
};
use crate::error::{Error, Result};
use crate::pda;
use anchor_lang::solana_program::bpf_loader_upgradeable;
use solana_account::Account;
use solana_clock::Clock;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_program_runtime::invoke_context::BuiltinFunctionWithContext;
use solana_program_test::{processor, ProgramTest, ProgramTestContext};
use solana_pubkey::Pubkey;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;
use std::collections::{BTreeSet, HashSet};

/// Native entry of the program for `solana-program-test`. Anchor's `entry`
/// ties every argument to one `'info` lifetime, which the generic processor
/// signature cannot express; the runtime keeps all three alive for the call.
/// A test that wraps the entry (e.g. to meter the heap) calls this.
pub fn native_entry(
    program_id: &Pubkey,
    accounts: &[anchor_lang::prelude::AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // SAFETY: only lifetimes change; the borrows outlive this call.
    let (program_id, accounts, data) = unsafe {
        (
            std::mem::transmute::<&Pubkey, &'static Pubkey>(program_id),
            std::mem::transmute::<&[anchor_lang::prelude::AccountInfo], &[anchor_lang::prelude::AccountInfo]>(accounts),
            std::mem::transmute::<&[u8], &'static [u8]>(data),
        )
    };
    pictor_vip::entry(program_id, accounts, data)
}

/// Bincode of `UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address: Some(authority) }`:
/// the account `initialize` reads the upgrade authority from, planted where
/// the program runs natively (no loader deployed it).
pub fn program_data_bytes(authority: &Pubkey) -> Vec<u8> {
    let mut data = vec![3, 0, 0, 0];
    data.extend_from_slice(&0u64.to_le_bytes());
    data.push(1);
    data.extend_from_slice(authority.as_ref());
    data
}

/// An in-process Solana runtime (`solana-program-test`) with the program
/// registered natively and the real Token-2022 and ATA programs. Its clock
/// is set explicitly ([`InProcess::set_time`]).
pub struct InProcess {
    rt: tokio::runtime::Runtime,
    ctx: ProgramTestContext,
    /// Every writable account a transaction named: the in-process stand-in
    /// for `getProgramAccounts`, which the banks interface lacks.
    touched: BTreeSet<Pubkey>,
    /// Signatures sent under the current blockhash (identical transactions
    /// would otherwise be refused as already processed).
    sent: HashSet<Signature>,
    /// Compute-unit price of every transaction, micro-lamports per unit.
    compute_unit_price: u64,
    /// Fees of the transactions sent that were executed, lamports.
    fees_paid: u64,
}

impl InProcess {
    /// Starts a runtime whose ProgramData names `upgrade_authority`, with
    /// the clock at `start_ts` (unix seconds).
    pub fn start(upgrade_authority: &Pubkey, start_ts: i64) -> Result<Self> {
        Self::start_with_entry(upgrade_authority, start_ts, processor!(native_entry))
    }

    /// [`InProcess::start`] with the program registered through `entry`
    /// (`solana_program_test::processor!(f)`), e.g. a test's shim that
    /// meters the heap around [`pictor_vip::entry`].
    pub fn start_with_entry(
        upgrade_authority: &Pubkey,
        start_ts: i64,
        entry: Option<BuiltinFunctionWithContext>,
    ) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let mut pt = ProgramTest::default();
        pt.prefer_bpf(false);
        pt.add_program("pictor_vip", pda::program_id(), entry);
        let data = program_data_bytes(upgrade_authority);
        pt.add_account(
            pda::program_data(),
            Account {
                lamports: 1_000_000_000,
                data,
                owner: bpf_loader_upgradeable::ID,
                executable: false,
                rent_epoch: 0,
            },
        );
        let ctx = rt.block_on(pt.start_with_context());
        let mut me =
            InProcess { rt, ctx, touched: BTreeSet::new(), sent: HashSet::new(), compute_unit_price: 0, fees_paid: 0 };
        me.set_time(start_ts)?;
        Ok(me)
    }

    /// Sets the clock's unix timestamp (seconds).
    pub fn set_time(&mut self, unix_timestamp: i64) -> Result<()> {
        let mut clock: Clock = self.rt.block_on(self.ctx.banks_client.get_sysvar())?;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
        Ok(())
    }

    /// Sends `lamports` from the fee payer to `to`.
    pub fn airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<()> {
        let ix = anchor_lang::solana_program::system_instruction::transfer(&self.fee_payer(), to, lamports);
        Ok(self.send(&[ix], &[])?)
    }

    /// The fee payer's keypair (funded at genesis).
    pub fn payer(&self) -> &Keypair {
        &self.ctx.payer
    }

    /// The rent-exempt minimum of an account of `data_len` bytes, in lamports.
    pub fn rent_exempt_minimum(&mut self, data_len: usize) -> Result<u64> {
        let rent = self.rt.block_on(self.ctx.banks_client.get_rent())?;
        Ok(rent.minimum_balance(data_len))
    }

    /// Moves the runtime to `slot` (e.g. to activate an address lookup
    /// table), keeping the clock's unix timestamp.
    pub fn warp_to_slot(&mut self, slot: u64) -> Result<()> {
        let now = self.now()?;
        self.ctx.warp_to_slot(slot).map_err(|e| Error::Runtime(format!("warp to slot {slot}: {e:?}")))?;
        self.sent.clear();
        self.set_time(now)
    }

    fn latest_blockhash(&mut self) -> Result<Hash, SendError> {
        self.rt.block_on(self.ctx.banks_client.get_latest_blockhash()).map_err(|e| SendError::Transport(e.to_string()))
    }

    /// Records the writable accounts of `instructions` in the account index,
    /// processes `tx`, counts its fee (`fee` lamports) if it was executed,
    /// and decodes a failure.
    fn process(
        &mut self,
        instructions: &[Instruction],
        tx: impl Into<VersionedTransaction>,
        fee: u64,
    ) -> Result<(), SendError> {
        for ix in instructions {
            self.touched.extend(ix.accounts.iter().filter(|m| m.is_writable).map(|m| m.pubkey));
        }
        let outcome = self
            .rt
            .block_on(self.ctx.banks_client.process_transaction_with_metadata(tx))
            .map_err(|e| SendError::Transport(e.to_string()))?;
        if matches!(outcome.result, Ok(()) | Err(TransactionError::InstructionError(..))) {
            self.fees_paid += fee;
        }
        let logs = outcome.metadata.map(|m| m.log_messages).unwrap_or_default();
        outcome.result.map_err(|e| SendError::from_transaction_error(e, &logs))
    }

    /// Overwrites an account directly, bypassing the program: for tests that
    /// need a state no transaction can build quickly.
    pub fn set_account(&mut self, key: &Pubkey, account: Account) {
        self.touched.insert(*key);
        self.ctx.set_account(key, &account.into());
    }
}

impl Transport for InProcess {
    fn fee_payer(&self) -> Pubkey {
        self.ctx.payer.pubkey()
    }

    fn get_account(&mut self, key: &Pubkey) -> Result<Option<Account>> {
        Ok(self.rt.block_on(self.ctx.banks_client.get_account(*key))?)
    }

    fn program_accounts(&mut self, discriminator: &[u8]) -> Result<Vec<(Pubkey, Account)>> {
        let keys: Vec<Pubkey> = self.touched.iter().copied().collect();
        let mut out = Vec::new();
        for key in keys {
            if let Some(a) = self.get_account(&key)? {
                if a.owner == pda::program_id() && a.data.starts_with(discriminator) {
                    out.push((key, a));
                }
            }
        }
        Ok(out)
    }

    fn now(&mut self) -> Result<i64> {
        let clock: Clock = self.rt.block_on(self.ctx.banks_client.get_sysvar())?;
        Ok(clock.unix_timestamp)
    }

    fn set_compute_unit_price(&mut self, micro_lamports: u64) {
        self.compute_unit_price = micro_lamports;
    }

    fn send_v0(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<usize, SendError> {
        let blockhash = self.latest_blockhash()?;
        let signed =
            sign_v0_transaction(instructions, &self.ctx.payer, signers, tables, blockhash, self.compute_unit_price)?;
        self.process(instructions, signed.tx, signed.fee_lamports).map_err(|e| caller_index(e, signed.added))?;
        Ok(signed.size)
    }

    fn slot(&mut self) -> Result<u64> {
        Ok(self.rt.block_on(self.ctx.banks_client.get_root_slot())?)
    }

    fn fees_paid_lamports(&self) -> u64 {
        self.fees_paid
    }

    fn simulate(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<Simulated> {
        let blockhash = self.latest_blockhash()?;
        let Signed { tx, added, fee_lamports, .. } =
            sign_transaction(instructions, &self.ctx.payer, signers, blockhash, self.compute_unit_price)?;
        let count = tx.message.instructions.len();
        let out = self.rt.block_on(self.ctx.banks_client.simulate_transaction(tx))?;
        let details = out.simulation_details;
        let logs = details.as_ref().map(|d| d.logs.clone()).unwrap_or_default();
        let error = match out.result {
            Some(Err(e)) => Some(caller_index(SendError::from_transaction_error(e, &logs), added)),
            _ => None,
        };
        Ok(Simulated {
            error,
            logs,
            units_consumed: details.map(|d| d.units_consumed),
            instructions: count,
            fee_lamports,
        })
    }

    /// The in-process runtime does not advance on its own: it is moved there.
    fn wait_for_slot(&mut self, slot: u64) -> Result<()> {
        if self.slot()? < slot {
            self.warp_to_slot(slot)?;
        }
        Ok(())
    }

    fn lookup_tables(&mut self, authority: &Pubkey) -> Result<Vec<LookupTable>> {
        let keys: Vec<Pubkey> = self.touched.iter().copied().collect();
        let mut out = Vec::new();
        for key in keys {
            if let Some(a) = self.get_account(&key)? {
                if a.owner == solana_address_lookup_table_interface::program::ID {
                    out.extend(LookupTable::decode(key, &a.data, authority));
                }
            }
        }
        Ok(out)
    }

    fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<(), SendError> {
        let blockhash = self.latest_blockhash()?;
        if blockhash != self.ctx.last_blockhash {
            self.ctx.last_blockhash = blockhash;
            self.sent.clear();
        }
        // An identical message under the same blockhash has the same
        // signature; make it unique with a compute-unit price a few
        // micro-lamports above the one set.
        let mut bump = 0;
        let signed = loop {
            let signed =
                sign_transaction(instructions, &self.ctx.payer, signers, blockhash, self.compute_unit_price + bump)?;
            if !self.sent.contains(&signed.tx.signatures[0]) {
                break signed;
            }
            bump += 1;
            if bump > 1_000 {
                return Err(SendError::Transaction(
                    "the same transaction was already sent under this blockhash".into(),
                ));
            }
        };
        self.sent.insert(signed.tx.signatures[0]);
        self.process(instructions, signed.tx, signed.fee_lamports).map_err(|e| caller_index(e, signed.added))
    }

    fn submit_cosigned(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        co_sign: &mut CoSign,
    ) -> Submitted {
        let outcome = self.latest_blockhash().and_then(|blockhash| {
            let signed =
                sign_transaction_partly(instructions, &self.ctx.payer, signers, blockhash, self.compute_unit_price)?;
            let signed = co_signed(signed, co_sign)?;
            self.process(instructions, signed.tx, signed.fee_lamports).map_err(|e| caller_index(e, signed.added))
        });
        Submitted::Done(outcome)
    }
}

impl From<solana_program_test::BanksClientError> for Error {
    fn from(e: solana_program_test::BanksClientError) -> Self {
        Error::Runtime(e.to_string())
    }
}
