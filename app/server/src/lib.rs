//! `pictor-vip serve`: the Profile page and the leaderboards a person reads
//! in a browser, the pass metadata a wallet fetches, a JSON API for other
//! services, and everything a holder does itself from its own wallet (SPEC
//! §11): Solana Actions for claims and withdrawals, the Profile's wallet
//! flow, and sponsored claims. Every figure is read through the SDK over
//! JSON-RPC (any cluster) and computed by the SDK's own Profile code
//! ([`pictor_vip_sdk::profile`]); every transaction is built by the SDK's
//! holder builder ([`pictor_vip_sdk::holder`], the CLI's too). The server
//! never holds a user's key.
//!
//! Routes:
//! - `/`: the start page, with a wallet search box (`/profile?wallet=…`).
//! - `/profile/WALLET`: passes, eligibility progress, score by criterion now,
//!   rank and priority in the latest finalised round, rewards; the claim or
//!   the withdrawal with a wallet ([`actions`], the script of `app/web`).
//! - `/leaderboard/ROLE`: the latest finalised round, the priority cutoff marked.
//! - `/claim/ROLE`, `/withdraw/ROLE`: the pages a blink's URL opens.
//! - `/metadata/ROLE.json`, `/metadata/ROLE.svg`: the pass's off-chain
//!   metadata (the URI the program writes into each pass) and its image.
//! - `/assets/NAME`: the stylesheet and the wallet flow's script.
//! - `/api/profile/WALLET`, `/api/leaderboard/ROLE`: the same as JSON.
//! - `/actions.json`, `/api/actions/{claim,withdraw}/ROLE`: Solana Actions.
//! - `POST /api/transactions`, `GET /api/transactions/SIGNATURE`: the relay
//!   for wallets that only sign ([`relay`]).
//! - `POST /api/dispatch`: one round of job distribution (SPEC §10's JSON,
//!   as `pictor-vip dispatch`), with the cluster's standings (cached,
//!   refreshed when a round is finalised or a pass changes hands) and GPU
//!   classes where the request leaves them out.
//!
//! Under a hostile public ([`pictor_vip_http::harden`]): header, request
//! and idle timeouts, a connection limit, body limits (2 MiB for
//! `/api/dispatch`, 4 KiB for the Action and relay routes), security
//! headers on every response (pages: a Content-Security-Policy that allows
//! only this server's own script and stylesheet), and every error a page on
//! a page route and JSON on an API route.
#![deny(missing_docs)]
pub mod actions;
pub mod assets;
pub mod benefits;
mod metadata;
pub mod metrics;
mod pages;
pub mod profile_json;
pub mod relay;
pub mod scheduling;
pub mod sponsor;

use crate::metrics::Metrics;
use crate::pages::Site;
use crate::profile_json::{leaderboard_json, profile_json};
use crate::scheduling::{classes_of, standings_of};
use crate::sponsor::{Sponsor, SponsorOptions};
use anyhow::{Context, Result};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pictor_vip_dispatch::json::{parse_request, Response as DispatchResponse};
use pictor_vip_dispatch::GpuClasses;
use pictor_vip_http::{ErrorPage, Limits};
use pictor_vip_sdk::profile::{leaderboard, wallet_profile, LeaderboardEntry, WalletProfile};
use pictor_vip_sdk::standings::{self as chain_standings, RoleStandings as ChainStandings};
use pictor_vip_sdk::state::{Config, FinalRound, Role};
use pictor_vip_sdk::transport::Rpc;
use pictor_vip_sdk::{read, Keypair, Pubkey};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// Rows a leaderboard shows unless `?limit=` says otherwise.
pub const DEFAULT_LEADERBOARD_ROWS: usize = 100;
/// The most rows one leaderboard page or API answer holds.
pub const MAX_LEADERBOARD_ROWS: usize = 2_000;

/// The largest `POST /api/dispatch` body, bytes.
pub const MAX_DISPATCH_BODY_BYTES: usize = 2 * 1024 * 1024;
/// How long one RPC call may take before the page says the cluster is not answering.
pub const RPC_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The limits the server holds every client to.
pub const LIMITS: Limits = Limits {
    header_timeout: std::time::Duration::from_secs(10),
    request_timeout: std::time::Duration::from_secs(30),
    max_connections: 1_024,
    max_body_bytes: MAX_DISPATCH_BODY_BYTES,
};

/// The Content-Security-Policy of every page: this server's own script and
/// stylesheet, nothing inline, no `eval`, no other origin.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                            connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What `pictor-vip serve` is given.
pub struct ServeOptions {
    /// JSON-RPC URL of the cluster to read.
    pub rpc_url: String,
    /// Address to listen on (port 0: any free port; the bound address is printed).
    pub listen: SocketAddr,
    /// The address people and wallets reach this server at, without a
    /// trailing slash (the metadata's image and external URLs, the Actions'
    /// icons and the blink links are built on it); default `http://LISTEN`.
    pub public_url: Option<String>,
    /// Pay the fee and rent of claims (SPEC §11, sponsored claims).
    pub sponsor: Option<SponsorOptions>,
    /// Where `/metrics` is served (`None`: not served).
    pub metrics_listen: Option<SocketAddr>,
}

/// The server's shared state.
pub(crate) struct AppState {
    rpc_url: String,
    /// The RPC URL as pages and logs show it (an API key in it masked).
    shown_url: String,
    public_url: String,
    /// The last configuration read: the metadata still answers while the
    /// cluster is briefly unreachable.
    last_config: Mutex<Option<Config>>,
    /// Both roles' standings as last read (creator, worker), for `/api/dispatch`.
    standings: Mutex<[Option<Arc<ChainStandings>>; 2]>,
    /// The cluster's CAIP-2 id, once read (its genesis hash never changes).
    blockchain_id: Mutex<Option<String>>,
    /// The sponsor of claims, if any.
    pub(crate) sponsor: Option<Sponsor>,
    /// The server's metrics.
    pub(crate) metrics: Metrics,
}

/// Why a page could not be shown: each becomes a human page (or a JSON error).
#[derive(Debug)]
pub(crate) enum Failure {
    /// The path's wallet is not a Solana address.
    BadWallet(String),
    /// The path's role is neither `creator` nor `worker`.
    BadRole(String),
    /// The cluster did not answer.
    ClusterDown { url: String, detail: String },
    /// The program is not initialised on the cluster.
    NotInitialised { url: String },
    /// A request the server cannot serve as sent (a dispatch request's error).
    BadRequest(String),
    /// Anything else the SDK reported.
    Other(String),
}

impl Failure {
    /// Its HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Failure::BadWallet(_) | Failure::BadRequest(_) => StatusCode::BAD_REQUEST,
            Failure::BadRole(_) => StatusCode::NOT_FOUND,
            Failure::ClusterDown { .. } | Failure::NotInitialised { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A title and a sentence a person understands.
    pub(crate) fn explain(&self) -> (String, String) {
        match self {
            Failure::BadWallet(w) => (
                "That is not a wallet address".into(),
                format!(
                    "“{w}” is not a Solana address. A wallet address is 32 to 44 letters and digits (base58), \
                     as your wallet shows it under “Receive”."
                ),
            ),
            Failure::BadRole(r) => (
                "No such role".into(),
                format!("There is no “{r}” role. Pictor has two, creator and worker: try /leaderboard/creator or /leaderboard/worker."),
            ),
            Failure::ClusterDown { url, detail } => {
                // The SDK's message names the cluster; say which one if it does not.
                let said = if detail.contains(url.as_str()) { detail.clone() } else { format!("{url}: {detail}") };
                let end = if said.ends_with('?') || said.ends_with('.') { "" } else { "." };
                (
                    "The Solana cluster is not answering".into(),
                    format!("{said}{end} Nothing is wrong with your wallet: try again in a minute."),
                )
            }
            Failure::NotInitialised { url } => (
                "The VIP Pass program is not set up on this cluster".into(),
                format!("The cluster at {url} has no Pictor VIP Pass configuration yet. The operator runs `pictor-vip init` first."),
            ),
            Failure::BadRequest(detail) => ("The request is not a valid dispatch request".into(), detail.clone()),
            Failure::Other(detail) => ("Something went wrong".into(), detail.clone()),
        }
    }
}

impl Failure {
    /// An SDK error reading the cluster at `url`.
    fn from_sdk(e: pictor_vip_sdk::Error, url: &str) -> Self {
        match e {
            pictor_vip_sdk::Error::Cluster(detail) => {
                Failure::ClusterDown { url: url.to_string(), detail: pictor_vip_sdk::redact::urls_in(&detail) }
            }
            pictor_vip_sdk::Error::NotInitialised => Failure::NotInitialised { url: url.to_string() },
            other => Failure::Other(other.to_string()),
        }
    }
}

/// A page or an API answer, or a [`Failure`] in the caller's format.
struct PageFailure(Failure);
pub(crate) struct ApiFailure(pub(crate) Failure);

impl IntoResponse for PageFailure {
    fn into_response(self) -> Response {
        let (title, text) = self.0.explain();
        page_response(self.0.status(), pages::error_page(&title, &text))
    }
}

/// An API error: `{"error": TITLE, "detail": SENTENCE, "status": CODE}`.
pub(crate) fn api_error(status: StatusCode, title: &str, detail: &str) -> Response {
    (status, Json(json!({"error": title, "detail": detail, "status": status.as_u16()}))).into_response()
}

/// A page: HTML under the pages' Content-Security-Policy, never framed,
/// revalidated on every visit (its figures move with the cluster).
pub(crate) fn page_response(status: StatusCode, document: String) -> Response {
    let mut response = (status, pages::html(document)).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let (title, text) = self.0.explain();
        api_error(self.0.status(), &title, &text)
    }
}

impl AppState {
    /// Runs `f` with a fresh RPC connection on a blocking thread (the SDK's
    /// reads are blocking); its errors name the cluster.
    pub(crate) async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Rpc) -> pictor_vip_sdk::Result<T> + Send + 'static,
    ) -> Result<T, Failure> {
        let url = self.rpc_url.clone();
        tokio::task::spawn_blocking(move || {
            // Reads sign nothing: the payer is a throwaway key.
            f(&mut Rpc::with_timeout(&url, Keypair::new(), RPC_TIMEOUT))
        })
        .await
        .map_err(|e| Failure::Other(format!("the read task failed: {e}")))?
        .map_err(|e| Failure::from_sdk(e, &self.shown_url))
    }

    /// The cluster's CAIP-2 id (`solana:` and 32 characters of its genesis
    /// hash), read once.
    pub(crate) async fn blockchain_id(self: &Arc<Self>) -> Result<String, Failure> {
        if let Some(id) = self.blockchain_id_cached() {
            return Ok(id);
        }
        let id = actions::blockchain_id(&self.read(|rpc| rpc.genesis_hash()).await?);
        *self.blockchain_id.lock().expect("blockchain id") = Some(id.clone());
        Ok(id)
    }

    /// The CAIP-2 id, if it was read.
    pub(crate) fn blockchain_id_cached(&self) -> Option<String> {
        self.blockchain_id.lock().expect("blockchain id").clone()
    }

    /// What the pages say of the site; `chain` from [`AppState::wallet_chain`].
    fn site<'a>(&'a self, chain: &'a str) -> Site<'a> {
        Site { shown_url: &self.shown_url, public_url: &self.public_url, sponsored: self.sponsor.is_some(), chain }
    }

    /// The Wallet Standard chain of the cluster: mainnet, devnet or testnet
    /// by their genesis hashes, `solana:localnet` for any other.
    async fn wallet_chain(self: &Arc<Self>) -> String {
        const KNOWN: [(&str, &str); 3] = [
            ("5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d", "solana:mainnet"),
            ("EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG", "solana:devnet"),
            ("4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY", "solana:testnet"),
        ];
        let id = self.blockchain_id().await.unwrap_or_default();
        KNOWN
            .iter()
            .find(|(genesis, _)| id == actions::blockchain_id(genesis))
            .map_or("solana:localnet", |(_, chain)| chain)
            .to_string()
    }

    /// The configuration, or the last one read when the cluster is unreachable.
    pub(crate) async fn config(self: &Arc<Self>) -> Result<Config, Failure> {
        match self.read(|rpc| read::config(rpc)?.ok_or(pictor_vip_sdk::Error::NotInitialised)).await {
            Ok(c) => {
                *self.last_config.lock().expect("config cache") = Some(c.clone());
                Ok(c)
            }
            Err(e @ Failure::ClusterDown { .. }) => self.last_config.lock().expect("config cache").clone().ok_or(e),
            Err(e) => Err(e),
        }
    }
}

/// A wallet's Profile, as read at the cluster's clock.
pub(crate) struct ProfileView {
    pub wallet: Pubkey,
    pub profile: WalletProfile,
}

/// A role's latest finalised round and its rows by rank.
pub(crate) struct LeaderboardView {
    pub role: Role,
    pub round: Option<(FinalRound, Vec<LeaderboardEntry>)>,
}

fn parse_wallet(s: &str) -> Result<Pubkey, Failure> {
    Pubkey::from_str(s.trim()).map_err(|_| Failure::BadWallet(s.chars().take(64).collect()))
}

/// The role named `name` in routes and files (`creator`, `worker`).
pub(crate) fn role_named(name: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.as_str() == name)
}

fn parse_role(s: &str) -> Result<Role, Failure> {
    role_named(s).ok_or_else(|| Failure::BadRole(s.chars().take(32).collect()))
}

async fn read_profile(state: &Arc<AppState>, wallet: &str) -> Result<ProfileView, Failure> {
    let wallet = parse_wallet(wallet)?;
    state.read(move |rpc| Ok(ProfileView { wallet, profile: wallet_profile(rpc, &wallet)? })).await
}

async fn read_leaderboard(state: &Arc<AppState>, role: &str) -> Result<LeaderboardView, Failure> {
    let role = parse_role(role)?;
    state.read(move |rpc| Ok(LeaderboardView { role, round: leaderboard(rpc, role)? })).await
}

#[derive(Deserialize)]
struct Search {
    wallet: Option<String>,
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<usize>,
}

impl Limit {
    fn rows(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LEADERBOARD_ROWS).clamp(1, MAX_LEADERBOARD_ROWS)
    }
}

async fn start_page(State(state): State<Arc<AppState>>) -> Response {
    page_response(StatusCode::OK, pages::start_page(&state.shown_url))
}

async fn search(Query(q): Query<Search>) -> Response {
    match q.wallet.as_deref().map(str::trim) {
        Some(w) if !w.is_empty() => match parse_wallet(w) {
            Ok(w) => Redirect::to(&format!("/profile/{w}")).into_response(),
            Err(e) => PageFailure(e).into_response(),
        },
        _ => Redirect::to("/").into_response(),
    }
}

/// 404 when the oracle never reported the wallet (the page and the API alike).
fn profile_status(view: &ProfileView) -> StatusCode {
    if view.profile.creator.is_none() && view.profile.worker.is_none() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    }
}

async fn profile_page(State(state): State<Arc<AppState>>, Path(wallet): Path<String>) -> Response {
    match read_profile(&state, &wallet).await {
        Ok(view) => {
            let chain = state.wallet_chain().await;
            page_response(profile_status(&view), pages::profile_page(&view, &state.site(&chain)))
        }
        Err(e) => PageFailure(e).into_response(),
    }
}

/// `/claim/ROLE` and `/withdraw/ROLE`: the pages a blink's URL opens.
async fn action_page(
    State(state): State<Arc<AppState>>,
    Path(role): Path<String>,
    flow: pages::WalletFlow,
) -> Response {
    match parse_role(&role) {
        Ok(role) => page_response(StatusCode::OK, pages::action_page(flow, role, &state.site(""))),
        Err(e) => PageFailure(e).into_response(),
    }
}

async fn leaderboard_page(
    State(state): State<Arc<AppState>>,
    Path(role): Path<String>,
    Query(limit): Query<Limit>,
) -> Response {
    match read_leaderboard(&state, &role).await {
        Ok(view) => page_response(StatusCode::OK, pages::leaderboard_page(&view, limit.rows())),
        Err(e) => PageFailure(e).into_response(),
    }
}

async fn profile_api(State(state): State<Arc<AppState>>, Path(wallet): Path<String>) -> Response {
    match read_profile(&state, &wallet).await {
        Ok(v) => {
            let mut body = profile_json(&v.wallet, &v.profile.creator, &v.profile.worker);
            body["now_ts"] = json!(v.profile.now);
            let status = profile_status(&v);
            if status == StatusCode::NOT_FOUND {
                body["error"] = json!("No Pictor activity for this wallet yet");
                body["detail"] = json!("The network's oracle has reported no spending and no uptime for this address.");
                body["status"] = json!(status.as_u16());
            }
            (status, Json(body)).into_response()
        }
        Err(e) => ApiFailure(e).into_response(),
    }
}

async fn leaderboard_api(
    State(state): State<Arc<AppState>>,
    Path(role): Path<String>,
    Query(limit): Query<Limit>,
) -> Response {
    match read_leaderboard(&state, &role).await {
        Ok(LeaderboardView { role, round: Some((round, rows)) }) => {
            Json(leaderboard_json(role, &round, &rows, limit.rows())).into_response()
        }
        Ok(LeaderboardView { role, round: None }) => {
            Json(json!({"role": role.as_str(), "round": null, "rows": []})).into_response()
        }
        Err(e) => ApiFailure(e).into_response(),
    }
}

/// Both roles' standings, from the cache when the boards did not change
/// (one board read per role), re-read otherwise.
async fn current_standings(state: &Arc<AppState>) -> Result<[Option<Arc<ChainStandings>>; 2], Failure> {
    let cached = state.standings.lock().expect("standings cache").clone();
    let fresh = state
        .read(move |rpc| {
            let mut out = cached.clone();
            for (i, role) in Role::ALL.into_iter().enumerate() {
                if let Some(new) = chain_standings::refresh(rpc, role, cached[i].as_deref())? {
                    out[i] = Some(Arc::new(new));
                }
            }
            Ok(out)
        })
        .await?;
    *state.standings.lock().expect("standings cache") = fresh.clone();
    Ok(fresh)
}

/// `POST /api/dispatch`: SPEC §10's request in, its answer out.
async fn dispatch_api(State(state): State<Arc<AppState>>, body: String) -> Response {
    let request = match parse_request(&body) {
        Ok(r) => r,
        Err(e) => return ApiFailure(Failure::BadRequest(e.to_string())).into_response(),
    };
    let standings = if request.standings.is_some() {
        None
    } else {
        match current_standings(&state).await {
            Ok(s) => Some(s),
            Err(e) => return ApiFailure(e).into_response(),
        }
    };
    let classes = if request.gpu_classes.is_some() {
        GpuClasses::spec_default()
    } else {
        match state.config().await.map(|c| classes_of(&c)) {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return ApiFailure(Failure::Other(e.to_string())).into_response(),
            Err(e) => return ApiFailure(e).into_response(),
        }
    };
    let rounds = standings.as_ref().map(|s| {
        let round = |r: &Option<Arc<ChainStandings>>| r.as_ref().map_or("none".to_string(), |s| s.round.to_string());
        format!("creator={}, worker={}", round(&s[0]), round(&s[1]))
    });
    let engine_standings = standings.map(|s| standings_of(s[0].as_deref(), s[1].as_deref()));
    match request.run(|| engine_standings.unwrap_or_default(), || classes) {
        Ok(outcome) => {
            let mut response = Json(DispatchResponse::from(&outcome)).into_response();
            if let Some(rounds) = rounds.and_then(|r| axum::http::HeaderValue::from_str(&r).ok()) {
                response.headers_mut().insert("x-pictor-standings-rounds", rounds);
            }
            response
        }
        Err(e) => ApiFailure(Failure::BadRequest(e.to_string())).into_response(),
    }
}

async fn metadata_file(State(state): State<Arc<AppState>>, Path(file): Path<String>) -> Response {
    if let Some(role) = file.strip_suffix(".svg") {
        return match parse_role(role) {
            Ok(role) => (
                [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=3600")],
                metadata::image_svg(role),
            )
                .into_response(),
            Err(e) => PageFailure(e).into_response(),
        };
    }
    let Some(role) = file.strip_suffix(".json") else {
        return not_found().await;
    };
    let role = match parse_role(role) {
        Ok(r) => r,
        Err(e) => return ApiFailure(e).into_response(),
    };
    match state.config().await {
        Ok(config) => (
            [(header::CACHE_CONTROL, "public, max-age=300")],
            Json(metadata::metadata_json(role, &config, &state.public_url)),
        )
            .into_response(),
        Err(e) => ApiFailure(e).into_response(),
    }
}

async fn not_found() -> Response {
    let text = "There is no page at this address. Start from the home page and search a wallet.";
    page_response(StatusCode::NOT_FOUND, pages::error_page("Page not found", text))
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Every error the layers or axum's extractors answer without a body of
/// their own, in the route's format: an Action's `{"message"}` (with the
/// Action headers), the API's `{"error", "detail", "status"}`, or a page.
fn error_page() -> ErrorPage {
    Arc::new(|path, status, message| {
        let mut sentence = message.to_string();
        if let Some(first) = sentence.get(..1) {
            sentence.replace_range(..1, &first.to_uppercase());
        }
        if !sentence.ends_with('.') {
            sentence.push('.');
        }
        if path.starts_with("/api/actions/") || path == "/actions.json" {
            let mut response = (status, Json(json!({ "message": sentence }))).into_response();
            response.headers_mut().extend(actions::action_headers(None));
            response
        } else if path.starts_with("/api/") {
            let title = status.canonical_reason().unwrap_or("Error");
            api_error(status, title, &sentence)
        } else {
            let title = status.canonical_reason().unwrap_or("Something went wrong");
            page_response(status, pages::error_page(title, &sentence))
        }
    })
}

/// The server's routes over `rpc_url`, with `public_url` as its own address,
/// unhardened (tests call it; [`run`] serves [`hardened`]).
pub fn router(rpc_url: &str, public_url: &str, sponsor: Option<Sponsor>) -> Router {
    routes(state(rpc_url, public_url, sponsor))
}

fn state(rpc_url: &str, public_url: &str, sponsor: Option<Sponsor>) -> Arc<AppState> {
    Arc::new(AppState {
        rpc_url: rpc_url.to_string(),
        shown_url: pictor_vip_sdk::redact::url(rpc_url),
        public_url: public_url.trim_end_matches('/').to_string(),
        last_config: Mutex::new(None),
        standings: Mutex::new([None, None]),
        blockchain_id: Mutex::new(None),
        sponsor,
        metrics: Metrics::new(),
    })
}

fn routes(state: Arc<AppState>) -> Router {
    // The Action and relay routes read at most 4 KiB (a 413 names that limit).
    let small = Router::new()
        .route("/actions.json", get(actions::actions_json).options(actions::preflight))
        .route(
            "/api/actions/{kind}/{role}",
            get(actions::get_action).post(actions::post_action).options(actions::preflight),
        )
        .route("/api/transactions", post(relay::relay))
        .route("/api/transactions/{signature}", get(relay::status));
    let small = pictor_vip_http::limit_body(small, actions::MAX_ACTION_BODY_BYTES);
    Router::new()
        .route("/", get(start_page))
        .route("/profile", get(search))
        .route("/profile/{wallet}", get(profile_page))
        .route("/claim/{role}", get(|s, r| action_page(s, r, pages::WalletFlow::Claim)))
        .route("/withdraw/{role}", get(|s, r| action_page(s, r, pages::WalletFlow::Withdraw)))
        .route("/leaderboard/{role}", get(leaderboard_page))
        .route("/metadata/{file}", get(metadata_file))
        .route("/assets/{file}", get(assets::asset))
        .route("/api/profile/{wallet}", get(profile_api))
        .route("/api/leaderboard/{role}", get(leaderboard_api))
        .route("/api/dispatch", post(dispatch_api))
        .merge(small)
        .fallback(not_found)
        .with_state(state)
}

/// The routes as [`run`] serves them: under [`LIMITS`], with the security
/// headers, and every error in its route's format.
pub fn hardened(rpc_url: &str, public_url: &str, sponsor: Option<Sponsor>) -> Router {
    hardened_over(state(rpc_url, public_url, sponsor))
}

fn hardened_over(state: Arc<AppState>) -> Router {
    pictor_vip_http::harden(routes(state), LIMITS, error_page())
}

/// Serves until Ctrl-C (or SIGTERM). Prints the bound addresses first.
pub fn run(options: ServeOptions) -> Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the server's runtime")?;
    let sponsor = match options.sponsor {
        Some(s) => {
            let sponsor = Sponsor::new(s).context("--sponsor-keypair: opening the sponsor's ledger")?;
            println!("sponsoring claims as {} (fee and rent)", sponsor.pubkey());
            Some(sponsor)
        }
        None => None,
    };
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen).await.with_context(|| {
            format!("listening on {} (is another server using the port? try --listen 127.0.0.1:0)", options.listen)
        })?;
        let bound = listener.local_addr()?;
        let public = options.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
        let state = state(&options.rpc_url, &public, sponsor);
        println!("serving {public} (listening on {bound}), reading {}", state.shown_url);
        let metrics = match options.metrics_listen {
            Some(addr) => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("--metrics-listen {addr}: cannot listen there"))?;
                println!("metrics on http://{}/metrics", listener.local_addr()?);
                let state = state.clone();
                let metrics = Router::new().route(
                    "/metrics",
                    get(move || async move {
                        ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
                    }),
                );
                let metrics = pictor_vip_http::harden(metrics, Limits::default(), pictor_vip_http::json_errors());
                Some(tokio::spawn(pictor_vip_http::serve(listener, metrics, Limits::default())))
            }
            None => None,
        };
        let app = hardened_over(state);
        let stopping = async {
            shutdown_signal().await;
            println!("stopping: answering the requests in progress (at most {:?})", LIMITS.request_timeout);
        };
        pictor_vip_http::serve_until(listener, app, LIMITS, stopping).await.context("serving")?;
        println!("stopped");
        if let Some(m) = metrics {
            m.abort();
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::Request;
    use tower::ServiceExt;

    /// The discard port: nothing answers there, as when a cluster is down.
    const DOWN: &str = "http://127.0.0.1:9";

    /// Status, content type and body of `GET path` on a server over a cluster that is down.
    async fn get(path: &str) -> (StatusCode, String, String) {
        let response = hardened(DOWN, "https://vip.example/", None)
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let content_type =
            headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let location = headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, content_type, location.unwrap_or_else(|| String::from_utf8(body.to_vec()).unwrap()))
    }

    fn json(body: &str) -> Value {
        serde_json::from_str(body).unwrap()
    }

    use serde_json::Value;

    #[tokio::test]
    async fn a_bad_address_is_refused_before_any_read() {
        let (status, content_type, body) = get("/profile/not-a-wallet").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(content_type.starts_with("text/html"));
        assert!(
            body.contains("<h1>That is not a wallet address</h1>")
                && body.contains("“not-a-wallet” is not a Solana address")
        );
        let (status, content_type, body) = get("/api/profile/not-a-wallet").await;
        assert_eq!((status, content_type.as_str()), (StatusCode::BAD_REQUEST, "application/json"));
        assert_eq!(json(&body)["error"], "That is not a wallet address");
        assert_eq!(json(&body)["status"], 400);
    }

    #[tokio::test]
    async fn a_cluster_that_is_down_is_named_not_dumped() {
        let wallet = Pubkey::new_unique();
        let (status, _, body) = get(&format!("/profile/{wallet}")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("The Solana cluster is not answering") && body.contains(DOWN), "{body}");
        for path in
            ["/api/leaderboard/worker".to_string(), format!("/api/profile/{wallet}"), "/metadata/creator.json".into()]
        {
            let (status, _, body) = get(&path).await;
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
            assert_eq!(json(&body)["error"], "The Solana cluster is not answering", "{path}");
        }
    }

    async fn post(path: &str, body: &str) -> (StatusCode, Value) {
        let response = hardened(DOWN, "https://vip.example/", None)
            .oneshot(Request::post(path).body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn dispatch_answers_a_complete_request_without_the_cluster_and_names_bad_input() {
        let request = r#"{"gpu_classes":[{"min_vram_gb":0,"min_hashpower":0},{"min_vram_gb":24,"min_hashpower":0}],
            "standings":{"creator":{"C1":{"rank":1,"priority":true}},"worker":{}},
            "jobs":[{"id":"plain","creator":"C9","arrival":1,"waited_rounds":0,"min_vram_gb":0},
                    {"id":"vip","creator":"C1","arrival":2,"waited_rounds":0,"min_vram_gb":0}],
            "workers":[{"wallet":"small","gpu_model":"T4","vram_gb":16,"hashpower":1,"region":"eu","free_slots":1,"idle_since":0},
                       {"wallet":"big","gpu_model":"A100","vram_gb":80,"hashpower":1,"region":"eu","free_slots":1,"idle_since":0}]}"#;
        let (status, body) = post("/api/dispatch", request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            serde_json::json!({"assignments": [
                {"job": "vip", "worker": "big", "lane": 1, "aged": false, "class": 1, "moved": 0},
                {"job": "plain", "worker": "small", "lane": 3, "aged": false, "class": 0, "moved": 0}],
                "waiting": []})
        );
        let (status, body) = post("/api/dispatch", r#"{"jobs":[{"id":"a"}],"workers":[]}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["detail"].as_str().unwrap().contains("jobs[0] (id \"a\")"), "{body}");
        let dup = r#"{"standings":{},"jobs":[],"workers":[
            {"wallet":"w","gpu_model":"T4","vram_gb":16,"hashpower":1,"region":"eu","free_slots":1,"idle_since":0},
            {"wallet":"w","gpu_model":"T4","vram_gb":16,"hashpower":1,"region":"eu","free_slots":1,"idle_since":0}],
            "gpu_classes":[{"min_vram_gb":0,"min_hashpower":0}]}"#;
        let (status, body) = post("/api/dispatch", dup).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["detail"].as_str().unwrap().contains("duplicate worker wallet \"w\""), "{body}");
        // Standings left out: they come from the cluster, which is down here.
        let (status, body) = post("/api/dispatch", r#"{"jobs":[],"workers":[]}"#).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    }

    /// The response to `request` from the hardened server over a cluster that is down.
    async fn send(request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = hardened(DOWN, "https://vip.example/", None).oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    fn assert_page(headers: &axum::http::HeaderMap) {
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], PAGE_CSP);
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    }

    #[tokio::test]
    async fn every_error_is_a_page_on_a_page_route_and_json_on_an_api_route() {
        // A query or a path that does not parse, on a page: a page, under the pages' policy.
        for path in ["/leaderboard/creator?limit=abc", "/leaderboard/creator?limit=1&limit=2", "/profile/%FF"] {
            let (status, headers, body) = send(Request::get(path).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
            assert_page(&headers);
            assert!(body.contains("<h1>Bad Request</h1>"), "{path}: {body}");
        }
        // The same on the API: its JSON.
        for path in
            ["/api/leaderboard/creator?limit=abc", "/api/leaderboard/creator?limit=1&limit=2", "/api/profile/%FF"]
        {
            let (status, headers, body) = send(Request::get(path).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/json");
            assert_eq!(headers[header::CACHE_CONTROL], "no-store");
            assert_eq!(json(&body)["status"], 400, "{path}: {body}");
            assert!(json(&body)["detail"].as_str().unwrap().len() > 10, "{path}: {body}");
        }
        // A body that is not UTF-8, and one that declares 3 GB and sends nothing.
        let bad = Request::post("/api/dispatch").body(Body::from(vec![0xff, 0xfe, b'{'])).unwrap();
        let (status, _, body) = send(bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(json(&body)["detail"].as_str().unwrap().contains("UTF-8"), "{body}");
        let huge =
            Request::post("/api/dispatch").header(header::CONTENT_LENGTH, "3000000000").body(Body::empty()).unwrap();
        let (status, _, body) = send(huge).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(json(&body)["detail"].as_str().unwrap().contains("limit of 2097152 bytes"), "{body}");
        // An Action's: its {"message"} with the Action headers, and its own limit.
        let big = Request::post("/api/actions/claim/creator")
            .header(header::CONTENT_LENGTH, "5000")
            .body(Body::from(vec![b' '; 5000]))
            .unwrap();
        let (status, headers, body) = send(big).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(
            json(&body),
            serde_json::json!({"message": "The request body is over this route's limit of 4096 bytes."})
        );
        // The relay's: the same 4 KiB, in the API's JSON, before the handler reads it.
        let big = Request::post("/api/transactions").body(Body::from(vec![b' '; 5000])).unwrap();
        let (status, headers, body) = send(big).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        assert_eq!(json(&body)["detail"], "The request body is over this route's limit of 4096 bytes.", "{body}");
        // Only the Action routes are open to other origins.
        let (_, headers, _) = send(Request::get("/api/leaderboard/creator").body(Body::empty()).unwrap()).await;
        assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "default-src 'none'; frame-ancestors 'none'");
    }

    #[tokio::test]
    async fn the_pages_load_only_the_servers_own_files_which_are_cached_for_good() {
        let (status, headers, body) = send(Request::get("/").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_page(&headers);
        let css = body.split("<link rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        assert_eq!(css, assets::style_path());
        for (path, content) in [(assets::style_path(), assets::SITE_CSS), (assets::script_path(), assets::PROFILE_JS)] {
            let (status, headers, body) = send(Request::get(&path).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
            assert_eq!(body, content);
        }
        let (status, _, _) =
            send(Request::get("/assets/profile.0000000000000000.js").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // No inline script or style anywhere in the pages.
        for page in [body, pages::action_page(pages::WalletFlow::Claim, Role::Creator, &site())] {
            assert!(!page.contains("<script>") && !page.contains("style=") && !page.contains("<style"), "{page}");
        }
    }

    fn site() -> Site<'static> {
        Site {
            shown_url: "https://rpc.example/…?…",
            public_url: "https://vip.example",
            sponsored: true,
            chain: "solana:mainnet",
        }
    }

    #[tokio::test]
    async fn an_action_answers_its_preflight_and_refuses_in_words_without_a_cluster() {
        for path in ["/actions.json", "/api/actions/claim/creator", "/api/actions/withdraw/worker"] {
            let (status, headers, _) = send(Request::options(path).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
            assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_METHODS], "GET,POST,PUT,OPTIONS");
            assert_eq!(headers["x-action-version"], actions::ACTION_VERSION);
        }
        let post = |body: &'static str| Request::post("/api/actions/claim/creator").body(Body::from(body)).unwrap();
        let (status, _, body) = send(post(r#"{"account":"nope"}"#)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(json(&body)["message"].as_str().unwrap().contains("is not a Solana address"), "{body}");
        let (status, _, body) = send(post("[1,2]")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(json(&body)["message"].as_str().unwrap().starts_with("The request body must be JSON like"), "{body}");
        let wallet = Pubkey::new_unique();
        let request =
            Request::post("/api/actions/claim/creator").body(Body::from(format!(r#"{{"account":"{wallet}"}}"#)));
        let (status, headers, body) = send(request.unwrap()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(json(&body)["message"].as_str().unwrap().starts_with("The Solana cluster is not answering"), "{body}");
    }

    #[tokio::test]
    async fn unknown_roles_and_pages_are_404s() {
        let (status, _, body) = get("/leaderboard/painter").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("No such role") && body.contains("/leaderboard/creator"));
        for path in ["/metadata/painter.json", "/metadata/creator.png", "/leaderboard/creator.json"] {
            assert_eq!(get(path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
        let (status, _, body) = get("/nowhere").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Page not found"));
    }

    #[tokio::test]
    async fn the_start_page_searches_and_the_images_need_no_cluster() {
        let (status, _, body) = get("/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#"<form action="/profile" method="get""#) && !body.contains("<script"));
        let wallet = Pubkey::new_unique();
        let (status, _, location) = get(&format!("/profile?wallet=%20{wallet}%20")).await;
        assert_eq!((status, location), (StatusCode::SEE_OTHER, format!("/profile/{wallet}")));
        assert_eq!(get("/profile?wallet=").await.2, "/");
        for role in Role::ALL {
            let (status, content_type, body) = get(&format!("/metadata/{}.svg", role.as_str())).await;
            assert_eq!((status, content_type.as_str()), (StatusCode::OK, "image/svg+xml"));
            assert_eq!(body, metadata::image_svg(role));
        }
    }
}
