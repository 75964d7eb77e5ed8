//! The co-signer (SPEC §6) against every crafted request: each refused with
//! its reason, nothing signed, nothing recorded; and an honest one signed
//! once, its fact kept across a restart so that no second fact is ever
//! signed for the same (wallet, seq). Through the HTTP router, as a keeper
//! and an attacker meet it.
use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use base64::Engine;
use pictor_vip_keeper::cosigner::check::Reason;
use pictor_vip_keeper::cosigner::ledger::Ledger;
use pictor_vip_keeper::cosigner::{router, Service};
use pictor_vip_keeper::keeper::tail::TailLine;
use pictor_vip_sdk::ix::{self, Report};
use pictor_vip_sdk::transport::{sign_transaction_partly, Signature};
use pictor_vip_sdk::{Instruction, Keypair, Pubkey, Signer};
use serde_json::{json, Value};
use solana_transaction::Transaction;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// 2026-12-01T00:00:00Z.
const AT: i64 = 1_796_083_200;

struct World {
    keeper: Keypair,
    cosigner: Keypair,
    wallet: Pubkey,
    service: Arc<Service>,
}

fn feed_line(n: usize, wallet: &Pubkey, seq: u64, frames: u64) -> TailLine {
    let text =
        format!(r#"{{"type":"frames","at":"2026-12-01T00:00:00Z","wallet":"{wallet}","seq":{seq},"frames":{frames}}}"#);
    TailLine::new("feed", n, text)
}

fn world_with(ledger: Ledger, cosigner: Keypair) -> World {
    let keeper = Keypair::new();
    let wallet = Pubkey::new_unique();
    let service = Service::new(cosigner.insecure_clone(), vec![keeper.pubkey()], ledger, Duration::from_millis(100));
    service.add_lines(&[feed_line(1, &wallet, 1, 10), feed_line(2, &wallet, 2, 20)]);
    service.set_ready();
    World { keeper, cosigner, wallet, service }
}

fn world() -> World {
    world_with(Ledger::in_memory(), Keypair::new())
}

impl World {
    /// A report of `frames` for (wallet, seq) naming the keeper as oracle and the co-signer.
    fn report(&self, seq: u64, frames: u64) -> Instruction {
        ix::report_signed(
            &[self.keeper.pubkey(), self.cosigner.pubkey()],
            &self.wallet,
            seq,
            AT,
            Report::Frames { frames },
        )
    }

    /// `ixs` paid and signed by `payer` (the co-signer's signature left empty).
    fn tx(&self, ixs: &[Instruction], payer: &Keypair) -> Transaction {
        let blockhash = solana_hash_of(7);
        sign_transaction_partly(ixs, payer, &[&self.keeper], blockhash, 0).unwrap().tx
    }

    async fn ask(&self, tx: &Transaction) -> (StatusCode, Value) {
        let bytes = bincode::serialize(tx).unwrap();
        let body = json!({"transaction": base64::engine::general_purpose::STANDARD.encode(bytes)}).to_string();
        self.post(body).await
    }

    async fn post(&self, body: String) -> (StatusCode, Value) {
        let request =
            Request::post("/v1/sign").header("content-type", "application/json").body(Body::from(body)).unwrap();
        let response = router(self.service.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// Asserts a refusal of each instruction listed, with its reason.
    async fn refused(&self, tx: &Transaction, want: &[(usize, Reason)]) {
        let (status, body) = self.ask(tx).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let want: Vec<Value> = want.iter().map(|(i, r)| json!({"instruction": i, "reason": r.as_str()})).collect();
        assert_eq!(body, json!({ "refused": want }));
    }
}

fn solana_hash_of(byte: u8) -> pictor_vip_sdk::transport::Hash {
    pictor_vip_sdk::transport::Hash::new_from_array([byte; 32])
}

/// Instruction indexes count the compute-budget instruction the SDK puts in front (a unit limit).
const FIRST: usize = 1;

#[tokio::test]
async fn an_honest_report_is_signed_and_the_signature_verifies() {
    let w = world();
    let tx = w.tx(&[w.report(1, 10), w.report(2, 20)], &w.keeper);
    let (status, body) = w.ask(&tx).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let signature: Signature = body["signature"].as_str().unwrap().parse().unwrap();
    assert!(signature.verify(w.cosigner.pubkey().as_ref(), &tx.message.serialize()));
    // Asked again (a new blockhash, the same facts): no equivocation.
    let again = w.tx(&[w.report(1, 10)], &w.keeper);
    assert_eq!(w.ask(&again).await.0, StatusCode::OK);
}

#[tokio::test]
async fn facts_the_feed_lacks_or_says_otherwise_are_refused_each_with_its_reason() {
    let w = world();
    let stranger = ix::report_signed(
        &[w.keeper.pubkey(), w.cosigner.pubkey()],
        &Pubkey::new_unique(),
        1,
        AT,
        Report::Frames { frames: 10 },
    );
    let later = ix::report_signed(
        &[w.keeper.pubkey(), w.cosigner.pubkey()],
        &w.wallet,
        2,
        AT + 1,
        Report::Frames { frames: 20 },
    );
    let tx = w.tx(&[w.report(1, 10), w.report(2, 21), stranger, w.report(3, 1), later], &w.keeper);
    w.refused(
        &tx,
        &[
            (FIRST + 1, Reason::DiffersFromFeed),
            (FIRST + 2, Reason::NotInFeed),
            (FIRST + 3, Reason::NotInFeed),
            (FIRST + 4, Reason::DiffersFromFeed),
        ],
    )
    .await;
}

#[tokio::test]
async fn crafted_transactions_are_refused_and_nothing_is_signed() {
    let w = world();
    let me = w.cosigner.pubkey();
    // A transfer from the co-signer: not an instruction it signs, and it
    // makes the co-signer a writable account of the transaction.
    let transfer = anchor_lang::solana_program::system_instruction::transfer(&me, &w.keeper.pubkey(), 1_000_000_000);
    let tx = w.tx(&[w.report(1, 10), transfer], &w.keeper);
    w.refused(&tx, &[(FIRST, Reason::SignerMisuse), (FIRST + 1, Reason::InstructionNotAllowed)]).await;
    // Another program's instruction.
    let other = Instruction::new_with_bytes(Pubkey::new_unique(), &[1, 2, 3], vec![]);
    w.refused(&w.tx(&[other], &w.keeper), &[(FIRST, Reason::InstructionNotAllowed)]).await;
    // The co-signer as the rent payer (the report's oracle account).
    let rent = ix::report_signed(&[me, w.keeper.pubkey()], &w.wallet, 1, AT, Report::Frames { frames: 10 });
    w.refused(&w.tx(&[rent], &w.keeper), &[(FIRST, Reason::SignerMisuse)]).await;
    // A report that does not name it.
    let unnamed = ix::report_signed(&[w.keeper.pubkey()], &w.wallet, 1, AT, Report::Frames { frames: 10 });
    let mut tx = w.tx(&[unnamed, w.report(2, 20)], &w.keeper);
    w.refused(&tx, &[(FIRST, Reason::SignerMisuse)]).await;
    // The co-signer as the fee payer: not a keeper it serves.
    let as_payer = w.tx(&[w.report(1, 10)], &w.cosigner);
    let everyone: Vec<(usize, Reason)> = (0..2).map(|i| (i, Reason::UnknownKeeper)).collect();
    w.refused(&as_payer, &everyone).await;
    // An unknown fee payer.
    let stranger = Keypair::new();
    w.refused(&w.tx(&[w.report(1, 10)], &stranger), &everyone).await;
    // A missing, then a forged, fee-payer signature.
    tx = w.tx(&[w.report(1, 10)], &w.keeper);
    tx.signatures[0] = Signature::default();
    w.refused(&tx, &everyone).await;
    tx.signatures[0] = stranger.sign_message(&tx.message.serialize());
    w.refused(&tx, &everyone).await;
    // None of it was signed: the first honest request is still the first.
    let (status, _) = w.ask(&w.tx(&[w.report(1, 10)], &w.keeper)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_words_and_never_a_crash() {
    let w = world();
    let (status, body) = w.post("{\"transaction\": \"%%%not base64\"}".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("not base64"), "{body}");
    let (status, body) = w.post("{\"transaction\": \"AAAA\"}".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("transaction"), "{body}");
    let (status, _) = w.post("not json".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = w.post("{\"transaction\": \"\", \"extra\": 1}".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A body of 10 MB: refused at its declared length, naming the limit.
    let big = format!("{{\"transaction\": \"{}\"}}", "A".repeat(10 << 20));
    let (status, body) = w.post(big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["error"].as_str().unwrap().contains("8192 bytes"), "{body}");
}

#[tokio::test]
async fn it_never_signs_two_facts_for_one_wallet_and_seq_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cosigner = Keypair::new();
    let (wallet, keeper) = {
        let w = world_with(Ledger::open(dir.path()).unwrap(), cosigner.insecure_clone());
        let (status, _) = w.ask(&w.tx(&[w.report(1, 10)], &w.keeper)).await;
        assert_eq!(status, StatusCode::OK);
        (w.wallet, w.keeper.insecure_clone())
    };
    // Restarted, and its feed now says otherwise for seq 1 (a mended feed, a
    // compromised source): it signed seq 1 already, so it refuses the new fact.
    let service = Service::new(
        cosigner.insecure_clone(),
        vec![keeper.pubkey()],
        Ledger::open(dir.path()).unwrap(),
        Duration::from_millis(100),
    );
    service.add_lines(&[feed_line(1, &wallet, 1, 99)]);
    let w = World { keeper, cosigner, wallet, service };
    w.refused(&w.tx(&[w.report(1, 99)], &w.keeper), &[(FIRST, Reason::Equivocation)]).await;
    // Two different facts for one (wallet, seq) in one request: the second is refused.
    w.service.add_lines(&[feed_line(3, &wallet, 5, 1)]);
    let twice = w.tx(&[w.report(5, 1), w.report(5, 2)], &w.keeper);
    let (status, body) = w.ask(&twice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
