//! For the Profile page's wallet flow: a wallet that can only sign (the
//! Wallet Standard's `solana:signTransaction`) hands the signed
//! transaction to the page, which sends it through here
//! (`POST /api/transactions`); then the page asks what became of it
//! (`GET /api/transactions/SIGNATURE?blockhash=…`). The page's scripts talk
//! to this server only (its Content-Security-Policy allows no other
//! origin). Only a holder's own transactions are relayed: compute-budget
//! instructions and this program's `claim` or `withdraw_rewards`, every
//! signature present and valid; anything else is refused, nothing sent.
use crate::AppState;
use anchor_lang::Discriminator;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use pictor_vip_sdk::transport::{SendError, Signature};
use serde::Deserialize;
use serde_json::json;
use solana_transaction::Transaction;
use std::str::FromStr;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelayBody {
    transaction: String,
}

/// Why `tx` is not a holder's own claim or withdrawal, if it is not.
pub fn not_a_holder_transaction(tx: &Transaction) -> Option<String> {
    let keys = &tx.message.account_keys;
    let program = pictor_vip_sdk::program::ID;
    let budget = solana_compute_budget_interface::id();
    for (i, ix) in tx.message.instructions.iter().enumerate() {
        let Some(id) = keys.get(usize::from(ix.program_id_index)) else {
            return Some(format!("instruction {i} names no program"));
        };
        if *id == budget {
            continue;
        }
        let claim = pictor_vip_sdk::program::instruction::Claim::DISCRIMINATOR;
        let withdraw = pictor_vip_sdk::program::instruction::WithdrawRewards::DISCRIMINATOR;
        if *id != program || !(ix.data.starts_with(claim) || ix.data.starts_with(withdraw)) {
            return Some(format!("instruction {i} is not a claim or a withdrawal of the VIP Pass program"));
        }
    }
    if tx.verify().is_err() || !tx.is_signed() {
        return Some("its signatures are missing or do not match its signers".into());
    }
    None
}

/// `POST /api/transactions` with `{"transaction": BASE64}` (signed): sends it.
pub(crate) async fn relay(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let bad = |detail: &str| {
        state.metrics.relayed.with_label_values(&["not_allowed"]).inc();
        crate::api_error(StatusCode::BAD_REQUEST, "Not a transaction this server sends", detail)
    };
    let Ok(parsed) = serde_json::from_slice::<RelayBody>(&body) else {
        return bad("the body must be {\"transaction\": BASE64}");
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(parsed.transaction.trim()) else {
        return bad("`transaction` is not base64");
    };
    use bincode::Options;
    let options = bincode::DefaultOptions::new().with_limit(1_232).with_fixint_encoding().allow_trailing_bytes();
    let tx: Transaction = match options.deserialize(&bytes) {
        Ok(tx) => tx,
        Err(_) => return bad("`transaction` is not a whole legacy Solana transaction"),
    };
    if let Some(why) = not_a_holder_transaction(&tx) {
        return bad(&why);
    }
    let sent = state.read(move |rpc| Ok(rpc.send_signed(&tx))).await;
    match sent {
        Err(f) => crate::ApiFailure(f).into_response(),
        Ok(Ok(signature)) => {
            state.metrics.relayed.with_label_values(&["sent"]).inc();
            Json(json!({"signature": signature.to_string()})).into_response()
        }
        Ok(Err(e)) => {
            state.metrics.relayed.with_label_values(&["refused_by_node"]).inc();
            crate::api_error(StatusCode::UNPROCESSABLE_ENTITY, "The cluster refused the transaction", &said(&e))
        }
    }
}

/// A refusal, in words: the program's reason when it has one.
pub fn said(e: &SendError) -> String {
    match e {
        SendError::Program { name, message, .. } => format!("{message} ({name})"),
        SendError::BlockhashExpired => "it expired before it landed: nothing was done; try again".into(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
pub(crate) struct StatusQuery {
    blockhash: Option<String>,
}

/// `GET /api/transactions/SIGNATURE?blockhash=B`: `{"status": "confirmed" |
/// "failed" | "pending" | "expired", "message"}`.
pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    Path(signature): Path<String>,
    query: Result<Query<StatusQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(sig) = Signature::from_str(signature.trim()) else {
        return crate::api_error(
            StatusCode::BAD_REQUEST,
            "Not a transaction signature",
            "a signature is 64 bytes in base58",
        );
    };
    let blockhash = match query {
        Ok(Query(q)) => match q.blockhash.as_deref().map(pictor_vip_sdk::transport::Hash::from_str) {
            None => None,
            Some(Ok(h)) => Some(h),
            Some(Err(_)) => {
                return crate::api_error(StatusCode::BAD_REQUEST, "Not a blockhash", "blockhash is 32 bytes in base58")
            }
        },
        Err(_) => {
            return crate::api_error(StatusCode::BAD_REQUEST, "A query this route does not read", "give ?blockhash=B")
        }
    };
    let seen = state
        .read(move |rpc| {
            let status = rpc.signature_status(&sig)?;
            let valid = match (&status, blockhash) {
                (None, Some(h)) => Some(rpc.blockhash_is_valid(&h)?),
                _ => None,
            };
            Ok((status, valid))
        })
        .await;
    let (status, message) = match seen {
        Err(f) => return crate::ApiFailure(f).into_response(),
        Ok((Some(Ok(())), _)) => ("confirmed", "Confirmed on the cluster.".to_string()),
        Ok((Some(Err(e)), _)) => ("failed", format!("The program refused it: {}.", said(&e))),
        Ok((None, Some(false))) => ("expired", "It expired before it landed: nothing was done.".to_string()),
        Ok((None, _)) => ("pending", "Sent; waiting for the cluster to confirm it.".to_string()),
    };
    Json(json!({"status": status, "message": message})).into_response()
}
