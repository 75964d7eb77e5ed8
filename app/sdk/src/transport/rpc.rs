use super::{
    caller_index, co_signed, sign_transaction, sign_transaction_partly, sign_v0_transaction, CoSign, LookupTable,
    SendError, Signed, Simulated, Submitted, Ticket, Transport, LOOKUP_TABLE_AUTHORITY_OFFSET,
};
use crate::error::{Error, Result};
use crate::pda;
use solana_account::Account;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_clock::Clock;
use solana_commitment_config::CommitmentConfig;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_pubkey::Pubkey;
use solana_rpc_client::rpc_client::{RpcClient, SerializableTransaction};
use solana_rpc_client_api::client_error::{Error as ClientError, ErrorKind};
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData};
use solana_signer::Signer;
use solana_transaction::Transaction;

/// A cluster reached over JSON-RPC (`--url`), with `payer` paying fees.
pub struct Rpc {
    client: RpcClient,
    /// Each request's timeout (`None`: the client's default, 30 s).
    timeout: Option<std::time::Duration>,
    payer: Keypair,
    compute_unit_price: u64,
    fees_paid: u64,
    /// The blockhash [`Transport::submit`] signs with, its last valid block
    /// height, and when it was fetched (reused for a second).
    blockhash: Option<(solana_hash::Hash, u64, std::time::Instant)>,
}

impl Rpc {
    /// Connects to `url` with `confirmed` commitment.
    pub fn new(url: &str, payer: Keypair) -> Self {
        Rpc {
            client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
            timeout: None,
            payer,
            compute_unit_price: 0,
            fees_paid: 0,
            blockhash: None,
        }
    }

    /// [`Rpc::new`] whose every request gives up after `timeout` (a hung
    /// node is an error, not a wait without end).
    pub fn with_timeout(url: &str, payer: Keypair, timeout: std::time::Duration) -> Self {
        Rpc {
            client: RpcClient::new_with_timeout_and_commitment(url.to_string(), timeout, CommitmentConfig::confirmed()),
            timeout: Some(timeout),
            ..Rpc::new(url, payer)
        }
    }

    /// The cluster's URL (it may hold an API key: show [`crate::redact::url`] of it).
    pub fn url(&self) -> String {
        self.client.url()
    }

    /// A second connection to the same cluster, paying with the same key at
    /// the same compute-unit price and timeout (a thread of its own talks
    /// through it).
    pub fn reconnect(&self) -> Rpc {
        let mut other = match self.timeout {
            Some(t) => Rpc::with_timeout(&self.client.url(), self.payer.insecure_clone(), t),
            None => Rpc::new(&self.client.url(), self.payer.insecure_clone()),
        };
        other.compute_unit_price = self.compute_unit_price;
        other
    }

    /// This connection, its every request giving up after `timeout`.
    pub fn with_request_timeout(self, timeout: std::time::Duration) -> Rpc {
        let mut other = Rpc::with_timeout(&self.client.url(), self.payer, timeout);
        other.compute_unit_price = self.compute_unit_price;
        other
    }

    /// The latest blockhash (at this connection's commitment) and the last
    /// block height a transaction made with it can land at.
    pub fn latest_blockhash(&self) -> Result<(solana_hash::Hash, u64)> {
        self.client.get_latest_blockhash_with_commitment(self.client.commitment()).map_err(|e| self.unreachable(e))
    }

    /// Simulates `tx` as it stands, its signatures not checked (some may be
    /// missing yet) and its blockhash kept: what it would do if signed.
    pub fn simulate_unsigned(&self, tx: &Transaction) -> Result<Simulated> {
        use solana_rpc_client_api::config::RpcSimulateTransactionConfig;
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: false,
            commitment: Some(self.client.commitment()),
            ..Default::default()
        };
        let out = self.client.simulate_transaction_with_config(tx, config).map_err(|e| self.unreachable(e))?.value;
        let logs = out.logs.unwrap_or_default();
        let fee_lamports = super::transaction_fee(tx.signatures.len(), &[]);
        Ok(Simulated {
            error: out.err.map(|e| SendError::from_transaction_error(e.into(), &logs)),
            logs,
            units_consumed: out.units_consumed,
            instructions: tx.message.instructions.len(),
            fee_lamports,
        })
    }

    /// Sends a transaction signed elsewhere (a wallet) through the node's
    /// preflight simulation, without waiting: its signature, or why the
    /// node refused it.
    pub fn send_signed(&self, tx: &Transaction) -> std::result::Result<solana_signature::Signature, SendError> {
        self.client.send_transaction(tx).map_err(Self::map_error)
    }

    /// The status of `signature` at this connection's commitment: `None`
    /// while it is not seen there, else whether it succeeded.
    pub fn signature_status(
        &self,
        signature: &solana_signature::Signature,
    ) -> Result<Option<std::result::Result<(), SendError>>> {
        let commitment = self.client.commitment();
        let status = self
            .client
            .get_signature_statuses(std::slice::from_ref(signature))
            .map_err(|e| self.unreachable(e))?
            .value
            .pop()
            .flatten();
        Ok(match status {
            Some(s) if s.satisfies_commitment(commitment) => {
                Some(s.err.map_or(Ok(()), |e| Err(SendError::from_transaction_error(e, &[]))))
            }
            _ => None,
        })
    }

    /// [`Rpc::signature_status`], searching the node's whole transaction
    /// history (not only its recent status cache): whether `signature` ever
    /// landed.
    pub fn signature_status_in_history(
        &self,
        signature: &solana_signature::Signature,
    ) -> Result<Option<std::result::Result<(), SendError>>> {
        let status = self
            .client
            .get_signature_statuses_with_history(std::slice::from_ref(signature))
            .map_err(|e| self.unreachable(e))?
            .value
            .pop()
            .flatten();
        Ok(status.map(|s| s.err.map_or(Ok(()), |e| Err(SendError::from_transaction_error(e, &[])))))
    }

    /// The cluster's block height at this connection's commitment.
    pub fn block_height(&self) -> Result<u64> {
        self.client.get_block_height().map_err(|e| self.unreachable(e))
    }

    /// Whether a transaction made with `blockhash` can still land.
    pub fn blockhash_is_valid(&self, blockhash: &solana_hash::Hash) -> Result<bool> {
        self.client.is_blockhash_valid(blockhash, self.client.commitment()).map_err(|e| self.unreachable(e))
    }

    /// The cluster's genesis hash (base58): which cluster this is.
    pub fn genesis_hash(&self) -> Result<String> {
        Ok(self.client.get_genesis_hash().map_err(|e| self.unreachable(e))?.to_string())
    }

    /// Every **finalized** transaction of the program that succeeded,
    /// oldest first, with the events it carries (inner instructions, decoded
    /// by [`crate::events`]): what an indexer that never has to roll back
    /// reads (`getSignaturesForAddress` on the program id, then
    /// `getTransaction`). Needs a node that keeps transaction history; see
    /// [`Rpc::wait_finalized`] to include what was just sent.
    pub fn program_events(&self) -> Result<Vec<(solana_signature::Signature, Vec<crate::events::ProgramEvent>)>> {
        use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
        use solana_rpc_client_api::config::RpcTransactionConfig;
        use solana_transaction_status_client_types::UiTransactionEncoding;
        let commitment = Some(CommitmentConfig::finalized());
        let mut signatures = Vec::new();
        let mut before = None;
        loop {
            let config =
                GetConfirmedSignaturesForAddress2Config { before, until: None, limit: Some(1_000), commitment };
            let page = self
                .client
                .get_signatures_for_address_with_config(&pda::program_id(), config)
                .map_err(|e| self.unreachable(e))?;
            let Some(last) = page.last() else { break };
            before = Some(last.signature.parse().map_err(|e| Error::Cluster(format!("a signature: {e}")))?);
            signatures.extend(page.into_iter().filter(|s| s.err.is_none()).map(|s| s.signature));
        }
        signatures.reverse();
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment,
            max_supported_transaction_version: Some(0),
        };
        signatures
            .into_iter()
            .map(|text| {
                let signature: solana_signature::Signature =
                    text.parse().map_err(|e| Error::Cluster(format!("a signature: {e}")))?;
                // A node lists a signature slightly before it can return the
                // transaction (its status is written by another thread): wait.
                let mut attempts = 0;
                let tx = loop {
                    match self.client.get_transaction_with_config(&signature, config) {
                        Ok(tx) => break tx,
                        Err(_) if attempts < 40 => {
                            attempts += 1;
                            std::thread::sleep(std::time::Duration::from_millis(250));
                        }
                        Err(e) => return Err(self.unreachable(e)),
                    }
                };
                Ok((signature, crate::events::from_transaction(&tx.transaction)))
            })
            .collect()
    }

    /// Waits until everything confirmed now is finalized (the cluster's root
    /// passes today's confirmed slot), at most `limit`.
    pub fn wait_finalized(&self, limit: std::time::Duration) -> Result<()> {
        let target = self.client.get_slot().map_err(|e| self.unreachable(e))?;
        self.wait_until(CommitmentConfig::finalized(), target, limit)
    }

    /// Polls the cluster's slot at `commitment` every 200 ms until it is at
    /// least `slot`, at most `limit`.
    fn wait_until(&self, commitment: CommitmentConfig, slot: u64, limit: std::time::Duration) -> Result<()> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let now = self.client.get_slot_with_commitment(commitment).map_err(|e| self.unreachable(e))?;
            if now >= slot {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                return Err(Error::Cluster(format!(
                    "the cluster's {:?} slot did not reach {slot} within {limit:?} (it is at {now})",
                    commitment.commitment
                )));
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// A recent blockhash and its last valid block height, fetched at most once a second.
    fn recent_blockhash(&mut self) -> Result<(solana_hash::Hash, u64), SendError> {
        if let Some((hash, height, at)) = self.blockhash {
            if at.elapsed() < std::time::Duration::from_secs(1) {
                return Ok((hash, height));
            }
        }
        let (hash, height) = self
            .client
            .get_latest_blockhash_with_commitment(self.client.commitment())
            .map_err(|e| SendError::Transport(crate::redact::urls_in(&e.to_string())))?;
        self.blockhash = Some((hash, height, std::time::Instant::now()));
        Ok((hash, height))
    }

    /// Sends a signed transaction without waiting (no preflight: a refusal
    /// comes back through the signature status, and the node's simulation
    /// would serialise the sends).
    fn send_without_waiting(&mut self, signed: Signed<Transaction>, last_valid_block_height: u64) -> Submitted {
        let config = RpcSendTransactionConfig { skip_preflight: true, ..Default::default() };
        match self.client.send_transaction_with_config(&signed.tx, config) {
            Ok(signature) => Submitted::InFlight(Ticket {
                signature,
                last_valid_block_height,
                fee_lamports: signed.fee_lamports,
                added: signed.added,
            }),
            Err(e) => Submitted::Done(Err(caller_index(Self::map_error(e), signed.added))),
        }
    }

    /// Sends a signed transaction and waits for its confirmation; its fee
    /// counts once it landed (succeeded or failed in the program), whatever
    /// the kind of transaction.
    fn confirm<T: SerializableTransaction>(&mut self, signed: &Signed<T>) -> Result<(), SendError> {
        let result = match self.client.send_and_confirm_transaction(&signed.tx) {
            Ok(_) => {
                self.fees_paid += signed.fee_lamports;
                Ok(())
            }
            Err(e) => {
                // Refused by the node's preflight simulation: it never landed, no fee was paid.
                let preflight = matches!(
                    e.kind(),
                    ErrorKind::RpcError(RpcError::RpcResponseError {
                        data: RpcResponseErrorData::SendTransactionPreflightFailure(_),
                        ..
                    })
                );
                let error = Self::map_error(e);
                if matches!(error, SendError::Program { .. }) && !preflight {
                    self.fees_paid += signed.fee_lamports;
                }
                Err(error)
            }
        };
        result.map_err(|e| caller_index(e, signed.added))
    }

    /// A read that failed, said for a person: which cluster, and why.
    fn unreachable(&self, err: ClientError) -> Error {
        let text = crate::redact::urls_in(&err.to_string());
        let url = crate::redact::url(&self.client.url());
        if matches!(err.kind(), ErrorKind::Reqwest(_)) || text.contains("error sending request") {
            Error::Cluster(format!("the cluster at {url} does not answer: is it running, and is the URL right?"))
        } else {
            Error::Cluster(format!("reading from {url}: {text}"))
        }
    }

    fn map_error(err: ClientError) -> SendError {
        let logs = match err.kind() {
            ErrorKind::RpcError(RpcError::RpcResponseError {
                data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
                ..
            }) => sim.logs.clone().unwrap_or_default(),
            _ => Vec::new(),
        };
        match err.get_transaction_error() {
            Some(te) => SendError::from_transaction_error(te, &logs),
            None => SendError::Transport(crate::redact::urls_in(&err.to_string())),
        }
    }
}

impl Transport for Rpc {
    fn fee_payer(&self) -> Pubkey {
        self.payer.pubkey()
    }

    fn get_account(&mut self, key: &Pubkey) -> Result<Option<Account>> {
        let got = self.client.get_account_with_commitment(key, self.client.commitment());
        Ok(got.map_err(|e| self.unreachable(e))?.value)
    }

    fn get_accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(keys.len());
        // The RPC method takes at most 100 keys a call.
        for chunk in keys.chunks(100) {
            let got = self.client.get_multiple_accounts_with_commitment(chunk, self.client.commitment());
            out.extend(got.map_err(|e| self.unreachable(e))?.value);
        }
        Ok(out)
    }

    fn program_accounts(&mut self, discriminator: &[u8]) -> Result<Vec<(Pubkey, Account)>> {
        let config = RpcProgramAccountsConfig {
            filters: Some(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(0, discriminator.to_vec()))]),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.client.commitment()),
                ..Default::default()
            },
            ..Default::default()
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(&pda::program_id(), config)
            .map_err(|e| self.unreachable(e))?;
        Ok(accounts.into_iter().filter_map(|(key, ui)| ui.decode::<Account>().map(|a| (key, a))).collect())
    }

    fn now(&mut self) -> Result<i64> {
        let account = self.client.get_account(&solana_clock::sysvar::ID).map_err(|e| self.unreachable(e))?;
        let clock: Clock =
            bincode::deserialize(&account.data).map_err(|e| Error::Cluster(format!("the clock sysvar: {e}")))?;
        Ok(clock.unix_timestamp)
    }

    fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<(), SendError> {
        let blockhash = self
            .client
            .get_latest_blockhash()
            .map_err(|e| SendError::Transport(crate::redact::urls_in(&e.to_string())))?;
        let signed = sign_transaction(instructions, &self.payer, signers, blockhash, self.compute_unit_price)?;
        self.confirm(&signed)
    }

    fn fees_paid_lamports(&self) -> u64 {
        self.fees_paid
    }

    fn simulate(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<Simulated> {
        let blockhash = self.client.get_latest_blockhash().map_err(|e| self.unreachable(e))?;
        let signed = sign_transaction(instructions, &self.payer, signers, blockhash, self.compute_unit_price)?;
        let out = self.client.simulate_transaction(&signed.tx).map_err(|e| self.unreachable(e))?.value;
        let logs = out.logs.unwrap_or_default();
        let error = out.err.map(|e| caller_index(SendError::from_transaction_error(e.into(), &logs), signed.added));
        Ok(Simulated {
            error,
            logs,
            units_consumed: out.units_consumed,
            instructions: signed.tx.message.instructions.len(),
            fee_lamports: signed.fee_lamports,
        })
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
        let blockhash = self
            .client
            .get_latest_blockhash()
            .map_err(|e| SendError::Transport(crate::redact::urls_in(&e.to_string())))?;
        let signed =
            sign_v0_transaction(instructions, &self.payer, signers, tables, blockhash, self.compute_unit_price)?;
        self.confirm(&signed)?;
        Ok(signed.size)
    }

    fn slot(&mut self) -> Result<u64> {
        self.client.get_slot().map_err(|e| self.unreachable(e))
    }

    fn wait_for_slot(&mut self, slot: u64) -> Result<()> {
        // About 400 ms a slot; give up after a minute.
        self.wait_until(self.client.commitment(), slot, std::time::Duration::from_secs(60))
    }

    fn wait_for_root(&mut self, slot: u64) -> Result<()> {
        // Finality takes about 13 s on mainnet, 30-40 s on a busy local
        // validator; give up after three minutes.
        self.wait_until(CommitmentConfig::finalized(), slot, std::time::Duration::from_secs(180))
    }

    fn lookup_tables(&mut self, authority: &Pubkey) -> Result<Vec<LookupTable>> {
        let mut tag_and_key = vec![1u8];
        tag_and_key.extend_from_slice(authority.as_ref());
        let config = RpcProgramAccountsConfig {
            filters: Some(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
                LOOKUP_TABLE_AUTHORITY_OFFSET - 1,
                tag_and_key,
            ))]),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.client.commitment()),
                ..Default::default()
            },
            ..Default::default()
        };
        let program = solana_address_lookup_table_interface::program::ID;
        let accounts =
            self.client.get_program_ui_accounts_with_config(&program, config).map_err(|e| self.unreachable(e))?;
        Ok(accounts
            .into_iter()
            .filter_map(|(key, ui)| ui.decode::<Account>().and_then(|a| LookupTable::decode(key, &a.data, authority)))
            .collect())
    }

    fn submit(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Submitted {
        let (blockhash, last_valid_block_height) = match self.recent_blockhash() {
            Ok(b) => b,
            Err(e) => return Submitted::Done(Err(e)),
        };
        match sign_transaction(instructions, &self.payer, signers, blockhash, self.compute_unit_price) {
            Ok(signed) => self.send_without_waiting(signed, last_valid_block_height),
            Err(e) => Submitted::Done(Err(e)),
        }
    }

    fn submit_cosigned(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        co_sign: &mut CoSign,
    ) -> Submitted {
        let (blockhash, last_valid_block_height) = match self.recent_blockhash() {
            Ok(b) => b,
            Err(e) => return Submitted::Done(Err(e)),
        };
        let signed = sign_transaction_partly(instructions, &self.payer, signers, blockhash, self.compute_unit_price)
            .and_then(|signed| co_signed(signed, co_sign));
        match signed {
            Ok(signed) => self.send_without_waiting(signed, last_valid_block_height),
            Err(e) => Submitted::Done(Err(e)),
        }
    }

    fn poll(&mut self, tickets: &[Ticket]) -> Result<Vec<Option<Result<(), SendError>>>> {
        // The height first: a ticket not seen afterwards, whose last valid
        // height is below it, can no longer land.
        let height = self.client.get_block_height().map_err(|e| self.unreachable(e))?;
        let commitment = self.client.commitment();
        let mut out = Vec::with_capacity(tickets.len());
        // getSignatureStatuses takes at most 256 signatures a call.
        for chunk in tickets.chunks(256) {
            let signatures: Vec<_> = chunk.iter().map(|t| t.signature).collect();
            let statuses = self.client.get_signature_statuses(&signatures).map_err(|e| self.unreachable(e))?.value;
            for (ticket, status) in chunk.iter().zip(statuses) {
                out.push(match status {
                    Some(status) if status.satisfies_commitment(commitment) => {
                        self.fees_paid += ticket.fee_lamports;
                        Some(match status.err {
                            None => Ok(()),
                            Some(e) => Err(caller_index(SendError::from_transaction_error(e, &[]), ticket.added)),
                        })
                    }
                    Some(_) => None,
                    None if height > ticket.last_valid_block_height => Some(Err(SendError::BlockhashExpired)),
                    None => None,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_rpc_client::mock_sender::{Mocks, PUBKEY};
    use solana_rpc_client_api::request::RpcRequest;
    use std::str::FromStr;

    /// A mock cluster that confirms every transaction; `signature` is what
    /// its `sendTransaction` answers (the mock only decodes legacy ones).
    fn mock(payer: &Keypair, signature: Option<String>) -> Rpc {
        let mut mocks = Mocks::new();
        if let Some(signature) = signature {
            mocks.insert(RpcRequest::SendTransaction, serde_json::Value::String(signature));
        }
        Rpc {
            timeout: None,
            client: RpcClient::new_mock_with_mocks("succeeds", mocks),
            payer: payer.insecure_clone(),
            compute_unit_price: 0,
            fees_paid: 0,
            blockhash: None,
        }
    }

    #[test]
    fn a_landed_send_counts_its_fee_legacy_or_v0() {
        let payer = Keypair::new();
        let ix = Instruction::new_with_bytes(Pubkey::new_unique(), &[1], vec![]);
        let blockhash = solana_hash::Hash::from_str(PUBKEY).unwrap();

        let mut legacy = mock(&payer, None);
        legacy.set_compute_unit_price(1_000);
        legacy.send(std::slice::from_ref(&ix), &[]).unwrap();
        let expected = sign_transaction(std::slice::from_ref(&ix), &payer, &[], blockhash, 1_000).unwrap().fee_lamports;
        assert!(expected > 5_000, "a priority fee is part of it ({expected})");
        assert_eq!(legacy.fees_paid_lamports(), expected);

        let signed = sign_v0_transaction(std::slice::from_ref(&ix), &payer, &[], &[], blockhash, 1_000).unwrap();
        let mut v0 = mock(&payer, Some(signed.tx.signatures[0].to_string()));
        v0.set_compute_unit_price(1_000);
        assert_eq!(v0.send_v0(std::slice::from_ref(&ix), &[], &[]).unwrap(), signed.size);
        assert_eq!(v0.fees_paid_lamports(), signed.fee_lamports);
    }
}
