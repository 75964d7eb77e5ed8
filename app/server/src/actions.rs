//! Solana Actions (SPEC §11): claiming a pass and withdrawing rank rewards
//! from any Actions client (a wallet's blink, a chat bot, a QR code) and
//! from the Profile page's own script, which asks the same routes.
//!
//! - `GET /actions.json`: the shareable pages (`/claim/ROLE`,
//!   `/withdraw/ROLE`) mapped to their Action endpoints, and the endpoints to
//!   themselves.
//! - `GET /api/actions/{claim,withdraw}/ROLE[?wallet=W]`: the Action (icon,
//!   title, description, label); with `wallet`, its progress, and `disabled`
//!   with `error.message` while it cannot go on.
//! - `POST /api/actions/{claim,withdraw}/ROLE` with `{"account": W}`: the
//!   transaction `pictor-vip claim` (or `rewards withdraw`) sends for W
//!   (`pictor_vip_sdk::holder`), with a recent blockhash, W's signature
//!   empty; W pays, or the sponsor does (it has signed then). Refused with a
//!   4xx and `{"message"}` a person reads, nothing built.
//! - `OPTIONS` on each: the CORS preflight. Every Action response carries
//!   the CORS headers, `X-Action-Version` and `X-Blockchain-Ids`.
use crate::sponsor::{SponsorRefusal, Sponsored};
use crate::{AppState, Failure};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use pictor_vip_sdk::holder::{self, Refusal};
use pictor_vip_sdk::state::Role;
use pictor_vip_sdk::Pubkey;
use serde::Deserialize;
use serde_json::{json, Value};
use std::str::FromStr;
use std::sync::Arc;

/// The version of the Actions specification these routes follow.
pub const ACTION_VERSION: &str = "2.4";
/// The largest body of an Action or relay request, bytes (`{"account": …}`
/// is under 100; a transaction is at most 1,232, 1,644 in base64), enforced
/// by the routes' layer ([`pictor_vip_http::limit_body`]) before a handler runs.
pub const MAX_ACTION_BODY_BYTES: usize = 4_096;

/// What an Action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Claim the pass.
    Claim,
    /// Withdraw the rank-reward balance.
    Withdraw,
}

impl Kind {
    /// Its name in routes and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Claim => "claim",
            Kind::Withdraw => "withdraw",
        }
    }
}

/// The headers every Action response carries (the Actions specification's
/// CORS set, its version, and the cluster's CAIP-2 id when known).
pub fn action_headers(blockchain_id: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET,POST,PUT,OPTIONS"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(
            "Content-Type, Authorization, Content-Encoding, Accept-Encoding, X-Accept-Action-Version, X-Accept-Blockchain-Ids",
        ),
    );
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("X-Action-Version, X-Blockchain-Ids"));
    h.insert("x-action-version", HeaderValue::from_static(ACTION_VERSION));
    if let Some(id) = blockchain_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        h.insert("x-blockchain-ids", id);
    }
    h
}

/// The CAIP-2 id of a cluster: `solana:` and the first 32 characters of its
/// genesis hash.
pub fn blockchain_id(genesis_hash: &str) -> String {
    format!("solana:{}", genesis_hash.get(..32).unwrap_or(genesis_hash))
}

/// An Action answer: a JSON body with the Action headers.
fn answer(state: &AppState, status: StatusCode, body: Value) -> Response {
    let id = state.blockchain_id_cached();
    (status, action_headers(id.as_deref()), Json(body)).into_response()
}

/// A refusal in the Actions format: `{"message": …}` with a 4xx (5xx for a
/// cluster that does not answer), nothing built.
pub(crate) fn refusal(state: &AppState, status: StatusCode, message: &str) -> Response {
    answer(state, status, json!({"message": message}))
}

/// A failure to read the cluster, as an Action refusal: its title and its
/// sentence (503 for a cluster that does not answer, with its own words).
fn failure(state: &AppState, f: Failure) -> Response {
    let status = f.status();
    let (title, text) = f.explain();
    refusal(state, status, &format!("{title}: {text}"))
}

/// The HTTP status of a holder's refusal.
fn refusal_status(r: &Refusal) -> StatusCode {
    match r {
        Refusal::AlreadyHolds | Refusal::NothingToWithdraw | Refusal::NoRewards => StatusCode::CONFLICT,
        Refusal::Paused | Refusal::NoFacts | Refusal::NotEligible(_) | Refusal::Revoked => StatusCode::FORBIDDEN,
    }
}

/// `GET /actions.json`.
pub(crate) async fn actions_json(State(state): State<Arc<AppState>>) -> Response {
    let _ = state.blockchain_id().await;
    answer(
        &state,
        StatusCode::OK,
        json!({"rules": [
            {"pathPattern": "/claim/*", "apiPath": "/api/actions/claim/*"},
            {"pathPattern": "/withdraw/*", "apiPath": "/api/actions/withdraw/*"},
            {"pathPattern": "/api/actions/**", "apiPath": "/api/actions/**"},
        ]}),
    )
}

/// `OPTIONS` on an Action route: the CORS preflight.
pub(crate) async fn preflight(State(state): State<Arc<AppState>>) -> Response {
    let id = state.blockchain_id_cached();
    (StatusCode::OK, action_headers(id.as_deref())).into_response()
}

#[derive(Deserialize)]
pub(crate) struct WalletQuery {
    wallet: Option<String>,
    payer: Option<String>,
}

/// `GET /api/actions/claim/ROLE` and `/api/actions/withdraw/ROLE`.
pub(crate) async fn get_action(
    State(state): State<Arc<AppState>>,
    Path((kind, role)): Path<(String, String)>,
    query: Result<Query<WalletQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(kind) = parse_kind(&kind) else { return unknown_action(&state, &kind) };
    let Some(role) = crate::role_named(&role) else { return unknown_role(&state, &role) };
    let Ok(Query(q)) = query else {
        return refusal(
            &state,
            StatusCode::BAD_REQUEST,
            "The query is not one this Action reads: give ?wallet=ADDRESS.",
        );
    };
    if let Err(f) = state.blockchain_id().await {
        return failure(&state, f);
    }
    let wallet = match q.wallet.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        None => None,
        Some(w) => match Pubkey::from_str(w) {
            Ok(k) => Some(k),
            Err(_) => return refusal(&state, StatusCode::BAD_REQUEST, &not_an_address(w)),
        },
    };
    let config = match state.config().await {
        Ok(c) => c,
        Err(f) => return failure(&state, f),
    };
    let icon = format!("{}/metadata/{}.svg", state.public_url, role.as_str());
    let title = format!("Pictor VIP Pass · {}", crate::pages::role_title(role));
    let (mut description, label) = match (kind, role) {
        (Kind::Claim, Role::Creator) => (
            format!(
                "A soulbound VIP pass for creators who have spent at least {} rendering on Pictor: the top {} of \
                 holders go first in the render queue and on the best GPUs.",
                pictor_vip_sdk::units::format_usdt(config.rules.creator_min_spent_base_units),
                crate::metadata::percent(config.rules.priority_bps)
            ),
            "Claim the creator pass".to_string(),
        ),
        (Kind::Claim, Role::Worker) => (
            format!(
                "A soulbound VIP pass for GPU workers online {} h/day on average over {} days: the top {} of holders \
                 are picked first for jobs.",
                config.rules.worker_min_daily_uptime_minutes / 60,
                config.rules.scoring.worker_window_days,
                crate::metadata::percent(config.rules.priority_bps)
            ),
            "Claim the worker pass".to_string(),
        ),
        (Kind::Withdraw, _) => (
            format!("Withdraw the {} rank rewards credited to your wallet by the ranking rounds.", role.as_str()),
            "Withdraw rewards".to_string(),
        ),
    };
    let mut body = json!({"type": "action", "icon": icon, "title": title, "label": label});
    if let Some(w) = wallet {
        // One connection: the holder's checks, and (for a claim) the progress the Profile shows.
        let checked = state
            .read(move |rpc| {
                let built = match kind {
                    Kind::Claim => holder::claim(rpc, &w, role, &w)?,
                    Kind::Withdraw => holder::withdraw(rpc, &w, role, &w)?,
                };
                let progress = match kind {
                    Kind::Claim => pictor_vip_sdk::profile::role_status(rpc, role, &w)?.map(|s| s.progress),
                    Kind::Withdraw => None,
                };
                Ok((built, progress))
            })
            .await;
        let (result, progress) = match checked {
            Err(f) => return failure(&state, f),
            Ok(checked) => checked,
        };
        if let Some(progress) = progress {
            description += &format!(" {w}: {progress}.");
        }
        match result {
            Ok(built) => description += &format!(" Ready: {}.", built.summary),
            Err(r) => {
                body["disabled"] = json!(true);
                body["error"] = json!({"message": r.to_string()});
            }
        }
    }
    // With a sponsor, the holder may also choose to pay the claim itself.
    if kind == Kind::Claim && state.sponsor.is_some() {
        let href = |payer: &str| {
            let mut href = format!("/api/actions/claim/{}?payer={payer}", role.as_str());
            if let Some(w) = wallet {
                href += &format!("&wallet={w}");
            }
            href
        };
        body["links"] = json!({"actions": [
            {"type": "transaction", "label": "Claim (Pictor pays the fee)", "href": href("sponsor")},
            {"type": "transaction", "label": "Claim (my wallet pays the fee)", "href": href("self")},
        ]});
    }
    body["description"] = json!(description);
    state.metrics.action_shown(kind);
    answer(&state, StatusCode::OK, body)
}

#[derive(Deserialize)]
struct ActionBody {
    account: String,
}

/// `POST /api/actions/claim/ROLE` and `/api/actions/withdraw/ROLE`.
pub(crate) async fn post_action(
    State(state): State<Arc<AppState>>,
    Path((kind, role)): Path<(String, String)>,
    query: Result<Query<WalletQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Response {
    let Some(kind) = parse_kind(&kind) else { return unknown_action(&state, &kind) };
    let Some(role) = crate::role_named(&role) else { return unknown_role(&state, &role) };
    let refuse = |status: StatusCode, reason: &str, message: &str| {
        state.metrics.refused(kind, reason);
        refusal(&state, status, message)
    };
    let parsed: ActionBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            let message = format!("The request body must be JSON like {{\"account\": \"YOUR_WALLET_ADDRESS\"}} ({e}).");
            return refuse(StatusCode::BAD_REQUEST, "bad_request", &message);
        }
    };
    let Ok(wallet) = Pubkey::from_str(parsed.account.trim()) else {
        return refuse(StatusCode::BAD_REQUEST, "not_an_address", &not_an_address(&parsed.account));
    };
    let pays_itself = match query {
        Ok(Query(q)) => match q.payer.as_deref() {
            None | Some("sponsor") => false,
            Some("self") => true,
            Some(other) => {
                let message = format!("payer={other:?} is not a choice: payer=sponsor or payer=self.");
                return refuse(StatusCode::BAD_REQUEST, "bad_request", &message);
            }
        },
        Err(_) => return refuse(StatusCode::BAD_REQUEST, "bad_request", "The query is not one this Action reads."),
    };
    if let Err(f) = state.blockchain_id().await {
        return failure(&state, f);
    }
    // The sponsor pays a claim (never a withdrawal) unless the holder pays itself.
    let sponsor = state.sponsor.as_ref().filter(|_| kind == Kind::Claim && !pays_itself);
    let payer = sponsor.map_or(wallet, |s| s.pubkey());
    if sponsor.is_some() && wallet == payer {
        return refuse(StatusCode::BAD_REQUEST, "sponsor_account", "The sponsor's own key claims nothing.");
    }
    let built = state
        .read(move |rpc| {
            let built = match kind {
                Kind::Claim => holder::claim(rpc, &wallet, role, &payer)?,
                Kind::Withdraw => holder::withdraw(rpc, &wallet, role, &payer)?,
            };
            let (blockhash, last_valid) = rpc.latest_blockhash()?;
            Ok(built.map(|b| (b, blockhash, last_valid)))
        })
        .await;
    let (built, blockhash, last_valid) = match built {
        Err(f) => return failure(&state, f),
        Ok(Err(r)) => return refuse(refusal_status(&r), r.code(), &r.to_string()),
        Ok(Ok(b)) => b,
    };
    let mut tx = holder::unsigned(&built.instructions, &payer, blockhash);
    let mut message = format!("{}. Your wallet signs", built.summary);
    if let Some(sponsor) = sponsor {
        match sponsor.sponsor(&state, &mut tx, &wallet, role, last_valid).await {
            Ok(Sponsored::New | Sponsored::Again) => {
                message += "; Pictor pays the fee and the pass's rent (returned to Pictor if the pass is ever closed).";
            }
            Err(SponsorRefusal::Cluster(f)) => return failure(&state, f),
            Err(r) => {
                state.metrics.sponsor_refused(r.code());
                return refuse(r.status(), r.code(), &r.to_string());
            }
        }
    } else {
        message += " and pays the fee.";
    }
    let bytes = bincode::serialize(&tx).expect("a transaction serialises");
    state.metrics.built(kind, sponsor.is_some());
    answer(
        &state,
        StatusCode::OK,
        json!({
            "type": "transaction",
            "transaction": base64::engine::general_purpose::STANDARD.encode(bytes),
            "message": message,
        }),
    )
}

fn parse_kind(kind: &str) -> Option<Kind> {
    match kind {
        "claim" => Some(Kind::Claim),
        "withdraw" => Some(Kind::Withdraw),
        _ => None,
    }
}

fn not_an_address(w: &str) -> String {
    let shown: String = w.chars().take(64).collect();
    format!("“{shown}” is not a Solana address: a wallet address is 32 to 44 letters and digits (base58).")
}

fn unknown_action(state: &AppState, kind: &str) -> Response {
    let shown: String = kind.chars().take(32).collect();
    refusal(state, StatusCode::NOT_FOUND, &format!("There is no “{shown}” Action: there are claim and withdraw."))
}

fn unknown_role(state: &AppState, role: &str) -> Response {
    let shown: String = role.chars().take(32).collect();
    refusal(state, StatusCode::NOT_FOUND, &format!("There is no “{shown}” role: there are creator and worker."))
}
