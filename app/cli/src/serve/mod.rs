//! `pictor-vip serve`: the Profile page and the leaderboards a person reads
//! in a browser, the pass metadata a wallet fetches, and a JSON API for other
//! services. Every figure is read through the SDK over JSON-RPC (any cluster)
//! and computed by the SDK's own Profile code ([`pictor_vip_sdk::profile`]):
//! this module only lays the figures out.
//!
//! Routes:
//! - `/`: the start page, with a wallet search box (`/profile?wallet=…`).
//! - `/profile/WALLET`: passes, eligibility progress, score by criterion now,
//!   rank and priority in the latest finalised round, rewards.
//! - `/leaderboard/ROLE`: the latest finalised round, the priority cutoff marked.
//! - `/metadata/ROLE.json`, `/metadata/ROLE.svg`: the pass's off-chain
//!   metadata (the URI the program writes into each pass) and its image.
//! - `/api/profile/WALLET`, `/api/leaderboard/ROLE`: the same as JSON.
//! - `POST /api/dispatch`: one round of job distribution (SPEC §10's JSON,
//!   as `pictor-vip dispatch`), with the cluster's standings (cached,
//!   refreshed when a round is finalised or a pass changes hands) and GPU
//!   classes where the request leaves them out.
//!
//! Pages are server-rendered HTML with their CSS inline; no JavaScript.
mod metadata;
mod pages;

use crate::profile_json::{leaderboard_json, profile_json};
use crate::scheduling::{classes_of, standings_of};
use anyhow::{Context, Result};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pictor_vip_dispatch::json::{parse_request, Response as DispatchResponse};
use pictor_vip_dispatch::GpuClasses;
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

/// What `pictor-vip serve` is given.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// JSON-RPC URL of the cluster to read.
    pub rpc_url: String,
    /// Address to listen on (port 0: any free port; the bound address is printed).
    pub listen: SocketAddr,
    /// The address people and wallets reach this server at, without a
    /// trailing slash (the metadata's image and external URLs are built on
    /// it); default `http://LISTEN`.
    pub public_url: Option<String>,
}

/// The server's shared state.
pub(crate) struct AppState {
    rpc_url: String,
    public_url: String,
    /// The last configuration read: the metadata still answers while the
    /// cluster is briefly unreachable.
    last_config: Mutex<Option<Config>>,
    /// Both roles' standings as last read (creator, worker), for `/api/dispatch`.
    standings: Mutex<[Option<Arc<ChainStandings>>; 2]>,
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
    fn status(&self) -> StatusCode {
        match self {
            Failure::BadWallet(_) | Failure::BadRequest(_) => StatusCode::BAD_REQUEST,
            Failure::BadRole(_) => StatusCode::NOT_FOUND,
            Failure::ClusterDown { .. } | Failure::NotInitialised { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A title and a sentence a person understands.
    fn explain(&self) -> (String, String) {
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
            pictor_vip_sdk::Error::Cluster(detail) => Failure::ClusterDown { url: url.to_string(), detail },
            pictor_vip_sdk::Error::NotInitialised => Failure::NotInitialised { url: url.to_string() },
            other => Failure::Other(other.to_string()),
        }
    }
}

/// A page or an API answer, or a [`Failure`] in the caller's format.
struct PageFailure(Failure);
struct ApiFailure(Failure);

impl IntoResponse for PageFailure {
    fn into_response(self) -> Response {
        let (title, text) = self.0.explain();
        (self.0.status(), pages::html(pages::error_page(&title, &text))).into_response()
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let (title, text) = self.0.explain();
        (self.0.status(), Json(json!({"error": title, "detail": text, "status": self.0.status().as_u16()})))
            .into_response()
    }
}

impl AppState {
    /// Runs `f` with a fresh RPC connection on a blocking thread (the SDK's
    /// reads are blocking); its errors name the cluster.
    async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Rpc) -> pictor_vip_sdk::Result<T> + Send + 'static,
    ) -> Result<T, Failure> {
        let url = self.rpc_url.clone();
        tokio::task::spawn_blocking(move || {
            // Reads sign nothing: the payer is a throwaway key.
            f(&mut Rpc::new(&url, Keypair::new()))
        })
        .await
        .map_err(|e| Failure::Other(format!("the read task failed: {e}")))?
        .map_err(|e| Failure::from_sdk(e, &self.rpc_url))
    }

    /// The configuration, or the last one read when the cluster is unreachable.
    async fn config(self: &Arc<Self>) -> Result<Config, Failure> {
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

fn parse_role(s: &str) -> Result<Role, Failure> {
    Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| Failure::BadRole(s.chars().take(32).collect()))
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
    pages::html(pages::start_page(&state.rpc_url)).into_response()
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

async fn profile_page(State(state): State<Arc<AppState>>, Path(wallet): Path<String>) -> Response {
    match read_profile(&state, &wallet).await {
        Ok(view) => {
            let status = if view.profile.creator.is_none() && view.profile.worker.is_none() {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::OK
            };
            (status, pages::html(pages::profile_page(&view, &state.rpc_url))).into_response()
        }
        Err(e) => PageFailure(e).into_response(),
    }
}

async fn leaderboard_page(
    State(state): State<Arc<AppState>>,
    Path(role): Path<String>,
    Query(limit): Query<Limit>,
) -> Response {
    match read_leaderboard(&state, &role).await {
        Ok(view) => pages::html(pages::leaderboard_page(&view, limit.rows())).into_response(),
        Err(e) => PageFailure(e).into_response(),
    }
}

async fn profile_api(State(state): State<Arc<AppState>>, Path(wallet): Path<String>) -> Response {
    match read_profile(&state, &wallet).await {
        Ok(v) => {
            let mut body = profile_json(&v.wallet, &v.profile.creator, &v.profile.worker);
            body["now_ts"] = json!(v.profile.now);
            Json(body).into_response()
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
            Ok(role) => ([(header::CONTENT_TYPE, "image/svg+xml")], metadata::image_svg(role)).into_response(),
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
        Ok(config) => Json(metadata::metadata_json(role, &config, &state.public_url)).into_response(),
        Err(e) => ApiFailure(e).into_response(),
    }
}

async fn not_found() -> Response {
    let text = "There is no page at this address. Start from the home page and search a wallet.";
    (StatusCode::NOT_FOUND, pages::html(pages::error_page("Page not found", text))).into_response()
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

/// The server's routes over `rpc_url`, with `public_url` as its own address.
pub fn router(rpc_url: &str, public_url: &str) -> Router {
    let state = Arc::new(AppState {
        rpc_url: rpc_url.to_string(),
        public_url: public_url.trim_end_matches('/').to_string(),
        last_config: Mutex::new(None),
        standings: Mutex::new([None, None]),
    });
    Router::new()
        .route("/", get(start_page))
        .route("/profile", get(search))
        .route("/profile/{wallet}", get(profile_page))
        .route("/leaderboard/{role}", get(leaderboard_page))
        .route("/metadata/{file}", get(metadata_file))
        .route("/api/profile/{wallet}", get(profile_api))
        .route("/api/leaderboard/{role}", get(leaderboard_api))
        .route("/api/dispatch", post(dispatch_api))
        .fallback(not_found)
        .with_state(state)
}

/// Serves until Ctrl-C (or SIGTERM). Prints the bound address first.
pub fn run(options: &ServeOptions) -> Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen).await.with_context(|| {
            format!("listening on {} (is another server using the port? try --listen 127.0.0.1:0)", options.listen)
        })?;
        let bound = listener.local_addr()?;
        let public = options.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
        println!("serving {public} (listening on {bound}), reading {}", options.rpc_url);
        let app = router(&options.rpc_url, &public);
        axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("serving")
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
        let response = router(DOWN, "https://vip.example/")
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
        let response = router(DOWN, "https://vip.example/")
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
