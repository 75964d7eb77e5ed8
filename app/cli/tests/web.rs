//! The Profile server in a real browser, and the generated TypeScript client,
//! on a real local cluster seeded with a network.
//!
//! `pictor-vip localnet` and `pictor-vip serve` run as child processes;
//! Debian's Chromium is driven through chromedriver (W3C WebDriver over
//! HTTP). The test asserts what a person sees: the figures on the Profile of
//! an eligible and of a near-miss wallet of each role, a holder's rank and
//! priority, the leaderboard's order and cutoff, the metadata JSON a wallet
//! fetches from the URI in the pass, human errors. Every expected figure is
//! computed here from the feed by the spec's arithmetic, not read from the
//! server. Screenshots go to `PICTOR_ARTEFACTS` (default
//! `target/tmp/web-artefacts/`).
//!
//! Then the Node test of `app/ts-client` runs against the same cluster
//! (`npm test`): it decodes the accounts this test read with the Rust SDK
//! (written to a fixture), claims a pass with the generated builders, and
//! decodes the claim's event.
mod localnet;

use anchor_spl::token_2022::spl_token_2022::extension::{BaseStateWithExtensions, StateWithExtensions};
use anchor_spl::token_2022::spl_token_2022::state::Mint;
use anchor_spl::token_2022_extensions::spl_token_metadata_interface::state::TokenMetadata;
use base64::Engine;
use localnet::*;
use pictor_vip_keeper::feed::{format_day, format_rfc3339};
use pictor_vip_sdk::state::{Board, Config, FactsRef, Member, PassStatus, Role};
use pictor_vip_sdk::transport::{Rpc, Transport};
use pictor_vip_sdk::{pda, read, Keypair, Pubkey, Signer};
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium through chromedriver, headless, phone-sized by default.
struct Browser {
    http: reqwest::blocking::Client,
    session: String,
    _driver: Guard,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn start() -> Browser {
        Browser::start_with(true)
    }

    /// Chromium with JavaScript on or off.
    fn start_with(javascript: bool) -> Browser {
        let driver_bin = std::env::var("PICTOR_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromium = std::env::var("PICTOR_CHROMIUM").unwrap_or_else(|_| {
            ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
                .into_iter()
                .find(|p| Path::new(p).exists())
                .expect("Chromium is installed (apt-get install chromium chromium-driver; .ci/run does)")
                .to_string()
        });
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {driver_bin} ({e}): apt-get install chromium-driver"));
        let driver = Guard(driver);
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while http.get(format!("{base}/status")).send().map(|r| !r.status().is_success()).unwrap_or(true) {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(200));
        }
        let prefs =
            if javascript { json!({}) } else { json!({"profile.managed_default_content_settings.javascript": 2}) };
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=412,1200"],
            "prefs": prefs
        }}}});
        let created: Value = http.post(format!("{base}/session")).json(&caps).send().unwrap().json().unwrap();
        let id = created["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {created}")).to_string();
        Browser { http, session: format!("{base}/session/{id}"), _driver: driver }
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}/{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().unwrap().json().unwrap();
        if v["value"]["error"].is_string() {
            panic!("WebDriver {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "url", Some(json!({ "url": url })));
    }

    fn size(&self, width: u32, height: u32) {
        self.call(reqwest::Method::POST, "window/rect", Some(json!({"width": width, "height": height})));
    }

    fn elements(&self, css: &str) -> Vec<String> {
        let found = self.call(reqwest::Method::POST, "elements", Some(json!({"using": "css selector", "value": css})));
        found.as_array().unwrap().iter().map(|e| e[ELEMENT].as_str().unwrap().to_string()).collect()
    }

    /// The visible text of the one element `css` selects.
    fn text(&self, css: &str) -> String {
        let found = self.elements(css);
        assert_eq!(found.len(), 1, "one element {css} on the page, found {}", found.len());
        self.element_text(&found[0])
    }

    fn element_text(&self, id: &str) -> String {
        self.call(reqwest::Method::GET, &format!("element/{id}/text"), None).as_str().unwrap().to_string()
    }

    fn texts(&self, css: &str) -> Vec<String> {
        self.elements(css).iter().map(|e| self.element_text(e)).collect()
    }

    fn click(&self, css: &str) {
        let found = self.elements(css);
        assert_eq!(found.len(), 1, "one element {css} to click, found {}", found.len());
        self.call(reqwest::Method::POST, &format!("element/{}/click", found[0]), Some(json!({})));
    }

    fn displayed(&self, css: &str) -> bool {
        let found = self.elements(css);
        assert_eq!(found.len(), 1, "one element {css}, found {}", found.len());
        self.call(reqwest::Method::GET, &format!("element/{}/displayed", found[0]), None).as_bool().unwrap()
    }

    /// Waits until the text of `css` satisfies `done` (up to `secs`); the
    /// text. Read in one script, so a page that reloads meanwhile (the wallet
    /// flow does) reads as empty, not as a stale element.
    fn wait_text(&self, css: &str, secs: u64, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let js = "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : '';";
        loop {
            let answer: Option<Value> = self
                .http
                .post(format!("{}/execute/sync", self.session))
                .json(&json!({"script": js, "args": [css]}))
                .send()
                .ok()
                .and_then(|r| r.json().ok());
            let text = answer.as_ref().and_then(|v| v["value"].as_str()).unwrap_or_default().to_string();
            if done(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} still says {text:?} after {secs} s");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn source(&self) -> String {
        self.call(reqwest::Method::GET, "source", None).as_str().unwrap().to_string()
    }

    fn script(&self, js: &str) -> Value {
        self.call(reqwest::Method::POST, "execute/sync", Some(json!({"script": js, "args": []})))
    }

    /// A full-page screenshot (the window grown to the page's height).
    fn screenshot(&self, path: &Path, width: u32) {
        self.size(width, 800);
        let height = self.script("return document.documentElement.scrollHeight").as_u64().unwrap_or(1200) as u32;
        self.size(width, height.clamp(600, 6000) + 140);
        let png = self.call(reqwest::Method::GET, "screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        fs::write(path, bytes).unwrap();
        self.size(412, 1200);
    }

    /// The page reads on a phone: no horizontal scrolling; no script but
    /// the server's own file (no inline script).
    fn assert_phone_readable(&self) {
        let overflow = self.script("return document.documentElement.scrollWidth - window.innerWidth").as_i64().unwrap();
        assert!(overflow <= 0, "the page scrolls sideways by {overflow} px on a 412 px screen");
        let source = self.source();
        assert_eq!(
            source.matches("<script").count(),
            source.matches("<script src=\"/assets/profile.").count(),
            "only the server's own script file"
        );
    }

    /// Registers the Wallet Standard test wallet (`app/web/test`) in the
    /// page, holding `key`.
    fn add_test_wallet(&self, key: &Keypair) {
        let bundle = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/test/dist/test-wallet.js"))
            .expect("app/web/test/dist/test-wallet.js (npm run build in app/web)");
        let seed = base64::engine::general_purpose::STANDARD.encode(&key.to_bytes()[..32]);
        self.script(&format!("window.__pictorTestWallet = {{seed: '{seed}', reject: false}};\n{bundle}"));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.session).send();
    }
}

fn artefacts() -> PathBuf {
    let dir = std::env::var_os("PICTOR_ARTEFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-artefacts"));
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// "1234567" → "1,234,567" (written here, independently of the SDK's).
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn s(x: impl ToString) -> Value {
    Value::String(x.to_string())
}

/// The Rust SDK's reading of the config, in the Node test's normal form
/// (snake_case fields, integers as decimal strings, options as value or null).
fn config_json(c: &Config) -> Value {
    let r = &c.rules;
    let m = &c.pass_metadata;
    json!({
        "admin": s(c.admin), "pending_admin": c.pending_admin.map(s), "crank": s(c.crank),
        "oracles": c.oracles.iter().map(s).collect::<Vec<_>>(), "paused": c.paused,
        "rules": {
            "creator_min_spent_base_units": s(r.creator_min_spent_base_units),
            "worker_min_daily_uptime_minutes": s(r.worker_min_daily_uptime_minutes),
            "worker_max_offline_run_days": s(r.worker_max_offline_run_days),
            "priority_bps": s(r.priority_bps), "max_fact_skew_secs": s(r.max_fact_skew_secs),
            "oracle_quorum": s(r.oracle_quorum),
            "cadence": {
                "period_secs": s(r.cadence.period_secs), "open_window_secs": s(r.cadence.open_window_secs),
                "offset_secs": s(r.cadence.offset_secs),
            },
            "scoring": {
                "worker_window_days": s(r.scoring.worker_window_days),
                "gpu_tiers": r.scoring.gpu_tiers.iter().map(|t| json!({
                    "min_vram_gb": s(t.min_vram_gb), "min_hashpower": s(t.min_hashpower), "multiplier_bps": s(t.multiplier_bps)
                })).collect::<Vec<_>>(),
            },
        },
        "pass_metadata": {
            "creator_name": m.creator_name, "worker_name": m.worker_name, "symbol": m.symbol,
            "creator_uri": m.creator_uri, "worker_uri": m.worker_uri,
        },
        "bump": s(c.bump), "pass_authority_bump": s(c.pass_authority_bump),
        "round_anchor": {"window": s(c.round_anchor.window), "round": s(c.round_anchor.round)},
    })
}

fn reward_json(r: &pictor_vip_sdk::state::RoundReward) -> Value {
    json!({"amount_base_units": s(r.amount_base_units), "ranks": s(r.ranks), "share_base_units": s(r.share_base_units), "credited_base_units": s(r.credited_base_units)})
}

fn board_json(b: &Board) -> Value {
    assert!(b.open.is_none(), "no round open while the fixture is taken");
    let w = &b.rewards;
    json!({
        "role": s(b.role as u8), "bump": s(b.bump), "passes_issued": s(b.passes_issued), "active_holders": s(b.active_holders),
        "next_round": s(b.next_round), "late_holders": s(b.late_holders), "late_round": s(b.late_round),
        "last_closed_ts": s(b.last_closed_ts), "open": null,
        "finalised": b.finalised.as_ref().map(|f| json!({
            "round": s(f.round), "snapshot_ts": s(f.snapshot_ts), "finalised_ts": s(f.finalised_ts), "members": s(f.members),
            "priority_count": s(f.priority_count), "removed": s(f.removed), "cutoff_score": f.cutoff_score.map(s),
            "reward": reward_json(&f.reward),
        })),
        "rewards": {
            "mint": s(w.mint), "token_program": s(w.token_program), "vault": s(w.vault), "decimals": s(w.decimals),
            "pending_base_units": s(w.pending_base_units), "pending_top_k": s(w.pending_top_k), "carry_base_units": s(w.carry_base_units),
            "liability_base_units": s(w.liability_base_units), "funded_total_base_units": s(w.funded_total_base_units),
            "withdrawn_total_base_units": s(w.withdrawn_total_base_units),
        },
    })
}

fn bytes_json(b: &[u8]) -> Vec<Value> {
    b.iter().map(s).collect()
}

fn member_json(m: &Member) -> Value {
    let h = m.header();
    let header = json!({
        "wallet": s(h.wallet), "pass_rent_payer": s(h.pass_rent_payer), "last_seq": s(h.last_seq), "last_fact_ts": s(h.last_fact_ts),
        "reward_balance": s(h.reward_balance), "pass_serial": s(h.pass_serial), "pass_first_round": s(h.pass_first_round),
        "ranks": h.ranks.iter().map(|r| json!({"round": s(r.round), "rank": s(r.rank), "score": {"le_bytes": bytes_json(&r.score.le_bytes)}})).collect::<Vec<_>>(),
        "revoke_reason": s(h.revoke_reason), "layout_version": s(h.layout_version), "role": s(h.role), "bump": s(h.bump),
        "pass_status": s(h.pass_status), "rank_flags": s(h.rank_flags), "reserved": s(h.reserved),
    });
    let facts = match m.facts() {
        FactsRef::Creator(f) => json!({
            "deposited_base_units": s(f.deposited_base_units), "spent_base_units": s(f.spent_base_units),
            "frames_rendered": s(f.frames_rendered), "month_recharged_base_units": s(f.month_recharged_base_units),
            "recharge_month": s(f.recharge_month), "reserved": bytes_json(&f.reserved),
        }),
        FactsRef::Worker(f) => json!({
            "lifetime_uptime_minutes": s(f.lifetime_uptime_minutes), "frames_completed": s(f.frames_completed),
            "jobs_failed": s(f.jobs_failed), "gpu_hashpower": s(f.gpu_hashpower), "latest_day": s(f.latest_day),
            "gpu_vram_gb": s(f.gpu_vram_gb), "gpu_model_len": s(f.gpu_model_len), "gpu_reported": s(f.gpu_reported),
            "gpu_model": bytes_json(&f.gpu_model), "day_slots": f.day_slots.iter().map(s).collect::<Vec<_>>(),
            "reserved": bytes_json(&f.reserved),
        }),
    };
    json!({"header": header, "facts": facts})
}

/// The Token-2022 metadata of a pass mint (what a wallet reads).
fn pass_metadata(rpc: &mut Rpc, mint: &Pubkey) -> TokenMetadata {
    let account = rpc.get_account(mint).unwrap().expect("the pass mint exists");
    let state = StateWithExtensions::<Mint>::unpack(&account.data).unwrap();
    state.get_variable_len_extension::<TokenMetadata>().unwrap()
}

/// `app/ts-client`'s Node test against the cluster; its TAP output.
fn node_test(fixture: &Path) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ts-client");
    if !dir.join("node_modules").exists() {
        let ok = Command::new("npm").arg("ci").current_dir(&dir).status().expect("npm is installed");
        assert!(ok.success(), "npm ci in app/ts-client");
    }
    let out = Command::new("npm")
        .args(["test", "--silent"])
        .current_dir(&dir)
        .env("PICTOR_TS_FIXTURE", fixture)
        .output()
        .expect("npm is installed");
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the Node test failed:\n{text}");
    text
}

#[test]
fn profile_pages_metadata_and_the_typescript_client_on_a_seeded_cluster() {
    let _one = serial();
    let net = Cluster::start("web", &["--no-init"]);
    // The server pays the claims of wallets with no SOL (SPEC §11).
    let sponsor_key = net.root.join("sponsor.json");
    let (sponsor, _) = net.wallets("sponsor", 1, 2).remove(0);
    solana_keypair::write_keypair_file(&sponsor, &sponsor_key).unwrap();
    let state_dir = net.root.join("sponsor-state");
    let (server, site, _) = serve(
        &net.url,
        &net.root.join("serve.log"),
        &["--sponsor-keypair", sponsor_key.to_str().unwrap(), "--state-dir", state_dir.to_str().unwrap()],
    );
    // The passes point at this server's metadata (what `init` writes into each pass).
    // Without the localnet's round cadence: the pages show round 1 whenever the rounds run.
    let deploy = deployment_with(&net, 600, |d| {
        d.pass_metadata.creator_uri = format!("{site}/metadata/creator.json");
        d.pass_metadata.worker_uri = format!("{site}/metadata/worker.json");
        (d.rules.round_period_secs, d.rules.round_open_window_secs, d.rules.round_offset_secs) = (0, 0, 0);
    });
    net.cli(&net.authority, &["init", "--config", deploy.to_str().unwrap()]).json();

    let oracle = net.key(&net.oracle);
    let mut rpc = net.rpc(&oracle);
    let now = rpc.now().unwrap();
    let today = now.div_euclid(86_400);
    let at = format_rfc3339(now - 5);

    // Ten creator holders (recharges 6,000 + 250 i USDT this month), a
    // near-miss (3,200 of 5,000 USDT spent), and an eligible wallet left for
    // the TypeScript client to claim with.
    let holders = net.wallets("holder", 10, 1);
    let (near, _) = &net.wallets("near", 1, 1)[0];
    let (claimer, claimer_path) = &net.wallets("claimer", 1, 1)[0];
    let mut lines = Vec::new();
    let mut creator = |w: Pubkey, recharge: u64, spend: u64| {
        lines.push(format!(r#"{{"type":"recharge","at":"{at}","wallet":"{w}","seq":1,"usdt":"{recharge}"}}"#));
        lines.push(format!(r#"{{"type":"spend","at":"{at}","wallet":"{w}","seq":2,"usdt":"{spend}"}}"#));
    };
    let recharge = |i: u64| 6_000 + 250 * i;
    let spend = |i: u64| 5_000 + 10 * i;
    for (i, (k, _)) in holders.iter().enumerate() {
        creator(k.pubkey(), recharge(i as u64), spend(i as u64));
    }
    creator(near.pubkey(), 4_000, 3_200);
    creator(claimer.pubkey(), 5_500, 5_000);
    // An eligible creator with no keypair file and no SOL: it claims in the browser.
    let penniless = Keypair::new();
    creator(penniless.pubkey(), 5_200, 5_100);

    // Workers: one online 1,000 min on each of the 30 window days (a 24 GB
    // GPU), one online 21 of the 30 days in runs broken by 3 offline days.
    let (worker, worker_path) = &net.wallets("worker", 1, 1)[0];
    let (near_worker, _) = &net.wallets("near-worker", 1, 1)[0];
    let offline = |d: i64| matches!(d, 3..=5 | 13..=15 | 23..=25);
    for (w, skip) in [(worker.pubkey(), false), (near_worker.pubkey(), true)] {
        lines.push(format!(
            r#"{{"type":"gpu","at":"{}","wallet":"{w}","seq":1,"model":"RTX 4090","vram_gb":24,"hashpower":165}}"#,
            format_rfc3339((today - 30) * 86_400)
        ));
        for (seq, d) in (2..).zip((0..30i64).filter(|d| !(skip && offline(*d)))) {
            let day = today - 30 + d;
            lines.push(format!(
                r#"{{"type":"worker_day","at":"{}","wallet":"{w}","seq":{seq},"day":"{}","uptime_minutes":1000,"frames_completed":0,"jobs_failed":0}}"#,
                format_rfc3339((day + 1) * 86_400),
                format_day(day)
            ));
        }
    }
    let feed = write_feed(&net, "web.feed", &lines);
    let summary = net.feed(&feed, &[]);
    assert_eq!(summary["refused"].as_array().map(Vec::len), Some(0), "{summary}");

    for (_, path) in &holders {
        net.cli(path, &["claim", "creator"]).json();
    }
    net.cli(worker_path, &["claim", "worker"]).json();
    // Rank rewards: 300 tokens for the creator round's top 3, 100 each.
    let reward_mint = reward_token(&net, 300_000_000).to_string();
    net.cli(&net.authority, &["rewards", "fund", "creator", "--mint", &reward_mint, "--amount", "300", "--top", "3"])
        .json();
    net.cli(&net.crank, &["rank", "creator"]).json();
    net.cli(&net.crank, &["rank", "worker"]).json();

    let browser = Browser::start();
    let shots = artefacts();
    let profile = |w: &Pubkey| format!("{site}/profile/{w}");

    // The near-miss creator: the exact figures, no pass.
    browser.open(&profile(&near.pubkey()));
    assert_eq!(browser.text("#creator-spent"), "3,200.00 / 5,000.00 USDT spent");
    assert_eq!(browser.text("#creator-eligible"), "not yet eligible");
    assert!(browser.text("#creator-pass").starts_with("No pass yet"));
    assert!(browser.text("#worker-pass").starts_with("No worker activity reported"));
    browser.assert_phone_readable();

    // The top creator: the pass, its mint, rank 1 of 10 with priority.
    // Score (SPEC §4): whole USDT recharged this month + 100 for the pass.
    let top = holders[9].0.pubkey();
    let top_score = recharge(9) + 100;
    browser.open(&profile(&top));
    assert!(browser.text("#creator-pass").starts_with("VIP Pass held"));
    assert_eq!(browser.text("#creator-mint"), pda::pass_mint(Role::Creator, &top).to_string());
    assert_eq!(browser.text("#creator-spent"), format!("{} / 5,000.00 USDT spent", grouped(spend(9)) + ".00"));
    assert_eq!(browser.text("#creator-eligible"), "eligible");
    assert_eq!(browser.text("#creator-score-total"), format!("{} points", grouped(top_score)));
    assert_eq!(
        browser.text("#creator-rank"),
        format!("Rank 1 of 10 in round 1, {} points at the round's snapshot", grouped(top_score))
    );
    // ⌈10 % × 10⌉ = 1 holder has priority.
    assert_eq!(browser.text("#creator-priority"), "priority");
    assert_eq!(browser.text("#creator-rewards"), "100 tokens credited and withdrawable");
    // What the standing buys in job distribution, in plain words.
    assert_eq!(
        browser.text("#creator-benefit"),
        "Your jobs are in lane 1 of the render queue (first, by arrival) and get the best GPU class free."
    );
    browser.assert_phone_readable();
    let profile_png = shots.join("profile-creator.png");
    browser.screenshot(&profile_png, 412);

    // The last holder: ranked, no priority.
    browser.open(&profile(&holders[0].0.pubkey()));
    assert_eq!(
        browser.text("#creator-rank"),
        format!("Rank 10 of 10 in round 1, {} points at the round's snapshot", grouped(recharge(0) + 100))
    );
    assert_eq!(browser.text("#creator-priority"), "no priority this round");
    assert_eq!(browser.text("#creator-rewards"), "0 tokens credited and withdrawable");
    assert_eq!(
        browser.text("#creator-benefit"),
        "Your jobs are in lane 2 of the render queue (after priority creators, by your rank 10) and get the best GPU class free."
    );

    // The near-miss worker: 21 of 30 days, runs of 3 offline days, 21,000 of 28,800 minutes.
    browser.open(&profile(&near_worker.pubkey()));
    assert_eq!(browser.text("#worker-days"), "21 of 30 days online, 3 offline days in a row (max 3)");
    assert_eq!(browser.text("#worker-uptime"), "21,000 / 28,800 minutes online (16 h/day on average required)");
    assert_eq!(browser.text("#worker-eligible"), "not yet eligible");

    // The eligible worker: uptime ⌊30,000 / 1,800⌋ = 16, GPU ⌊30,000 / 6,000⌋ × 10 × 1.5 = 75, pass 100.
    browser.open(&profile(&worker.pubkey()));
    assert_eq!(browser.text("#worker-uptime"), "30,000 / 28,800 minutes online (16 h/day on average required)");
    assert_eq!(browser.text("#worker-days"), "30 of 30 days online, 0 offline days in a row (max 3)");
    assert_eq!(browser.text("#worker-score-total"), "191 points");
    assert_eq!(browser.text("#worker-rank"), "Rank 1 of 1 in round 1, 191 points at the round's snapshot");
    assert_eq!(browser.text("#worker-priority"), "priority");
    assert_eq!(
        browser.text("#worker-benefit"),
        "You are picked first among equally suited workers (priority, rank 1)."
    );
    browser.screenshot(&shots.join("profile-worker.png"), 412);

    // POST /api/dispatch with the cluster's standings (the request leaves
    // them and the GPU classes out): the top creator's job in lane 1 on the
    // priority worker, the last holder's in lane 2 on the other, the
    // near-miss creator's job (lane 3) finds both full.
    let gpu = |wallet: String| {
        json!({"wallet": wallet, "gpu_model": "RTX 4090", "vram_gb": 24, "hashpower": 165, "region": "eu",
            "free_slots": 1, "idle_since": 0})
    };
    let job = |id: &str, creator: Pubkey, arrival: i64| json!({"id": id, "creator": creator.to_string(), "arrival": arrival, "waited_rounds": 0, "min_vram_gb": 16});
    let request = json!({
        "jobs": [job("near", near.pubkey(), 1), job("last-holder", holders[0].0.pubkey(), 2), job("top", top, 3)],
        "workers": [gpu("A-not-a-holder".into()), gpu(worker.pubkey().to_string())],
    });
    let answer = reqwest::blocking::Client::new().post(format!("{site}/api/dispatch")).json(&request).send().unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["x-pictor-standings-rounds"], "creator=1, worker=1");
    let answer: Value = answer.json().unwrap();
    assert_eq!(
        answer,
        json!({"assignments": [
                {"job": "top", "worker": worker.pubkey().to_string(), "lane": 1, "aged": false, "class": 2, "moved": 0},
                {"job": "last-holder", "worker": "A-not-a-holder", "lane": 2, "aged": false, "class": 2, "moved": 0}],
            "waiting": [{"job": "near", "lane": 3, "aged": false, "reason": "all_feasible_workers_full"}]})
    );
    let refused = reqwest::blocking::Client::new()
        .post(format!("{site}/api/dispatch"))
        .body(r#"{"jobs":[{"id":"x","creator":"c","arrival":1,"waited_rounds":0,"min_vram_gb":0,"cost":1}],"workers":[]}"#)
        .send()
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().unwrap().contains("unknown field `cost`"));

    // The leaderboard: holders by score, the cutoff under rank 1.
    browser.open(&format!("{site}/leaderboard/creator"));
    let rows = browser.texts("#leaderboard tr");
    let cutoff_at = rows.iter().position(|t| t.contains("priority cutoff")).expect("the cutoff row");
    assert_eq!(cutoff_at, 2, "the cutoff follows the header and the one priority row: {rows:?}");
    assert!(rows[cutoff_at].contains("the top 1 (scores of"), "{}", rows[cutoff_at]);
    let order = browser.texts("#leaderboard tr:not(.cutoff) td:nth-child(2)");
    let expected: Vec<String> = holders.iter().rev().map(|(k, _)| k.pubkey().to_string()).collect();
    assert_eq!(order, expected, "ranked by recharges, highest first");
    assert_eq!(browser.text("#round-summary").split(" · ").nth(2), Some("10 members ranked"));
    browser.assert_phone_readable();
    let leaderboard_png = shots.join("leaderboard-creator.png");
    browser.screenshot(&leaderboard_png, 900);

    // The metadata a wallet fetches: the URI in the pass's Token-2022 metadata.
    let meta = pass_metadata(&mut rpc, &pda::pass_mint(Role::Creator, &top));
    assert_eq!(meta.uri, format!("{site}/metadata/creator.json"));
    browser.open(&meta.uri);
    let json: Value = serde_json::from_str(&browser.text("body")).expect("the metadata is JSON");
    assert_eq!(json["name"], meta.name);
    assert_eq!(json["symbol"], meta.symbol);
    assert_eq!(json["image"], format!("{site}/metadata/creator.svg"));
    assert_eq!(json["attributes"][0], json!({"trait_type": "Role", "value": "Creator"}));
    fs::write(shots.join("metadata-creator.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let image = reqwest::blocking::get(json["image"].as_str().unwrap()).unwrap();
    assert_eq!(image.headers()["content-type"], "image/svg+xml");
    assert!(image.text().unwrap().contains("CREATOR"));

    // The wallet flow (SPEC §11). The pages' headers first.
    let page = reqwest::blocking::get(profile(&penniless.pubkey())).unwrap();
    assert_eq!(
        page.headers()["content-security-policy"],
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    );
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let script_path =
        page.text().unwrap().split("<script src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let script = reqwest::blocking::get(format!("{site}{script_path}")).unwrap();
    assert_eq!(script.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(script.text().unwrap(), include_str!("../../server/assets/profile.js"));
    // Without JavaScript the page still reads: progress, the command, the blink.
    {
        let plain = Browser::start_with(false);
        plain.open(&profile(&penniless.pubkey()));
        assert_eq!(plain.text("#creator-spent"), "5,100.00 / 5,000.00 USDT spent");
        let block = plain.text("#creator-claim");
        assert!(block.contains("pictor-vip claim creator"), "{block}");
        assert!(block.contains(&format!("solana-action:{site}/api/actions/claim/creator")), "{block}");
        assert!(!plain.displayed("#creator-claim button.connect"), "no Connect button without JavaScript");
        plain.screenshot(&shots.join("claim-no-javascript.png"), 412);
    }
    // Connect → Claim, declined in the wallet first, then signed: the
    // sponsor pays, the wallet holds no SOL before or after.
    browser.open(&profile(&penniless.pubkey()));
    assert!(browser.text("#creator-pass").contains("This wallet is eligible"));
    browser.add_test_wallet(&penniless);
    browser.script("window.__pictorTestWallet.reject = true");
    browser.click("#creator-claim button.connect");
    browser.wait_text("#creator-claim .wallet-list", 10, |t| t.contains("Pictor Test Wallet"));
    browser.click("#creator-claim .wallet-list button");
    let connected = browser.wait_text("#creator-claim .outcome", 10, |t| t.starts_with("Connected"));
    assert_eq!(connected, format!("Connected to Pictor Test Wallet as {}.", penniless.pubkey()));
    browser.click("#creator-claim button.go");
    let declined = browser.wait_text("#creator-claim .outcome", 30, |t| t.starts_with("You rejected"));
    assert_eq!(declined, "You rejected the claim in your wallet: nothing was sent.");
    assert_eq!(
        read::member(&mut rpc, Role::Creator, &penniless.pubkey()).unwrap().unwrap().pass_status(),
        PassStatus::None
    );
    browser.script("window.__pictorTestWallet.reject = false");
    browser.click("#creator-claim button.go");
    let confirmed = browser.wait_text("#creator-claim .outcome", 90, |t| {
        t.starts_with("Confirmed") || t.starts_with("Refused") || t.starts_with("Expired")
    });
    assert_eq!(confirmed, "Confirmed: your pass is in your wallet. Showing it…");
    browser.screenshot(&shots.join("claim-confirmed-412.png"), 412);
    // The page reloads and shows the pass.
    browser.wait_text("#creator-pass", 30, |t| t.starts_with("VIP Pass held"));
    assert_eq!(browser.text("#creator-mint"), pda::pass_mint(Role::Creator, &penniless.pubkey()).to_string());
    browser.assert_phone_readable();
    browser.screenshot(&shots.join("claim-pass-412.png"), 412);
    browser.screenshot(&shots.join("claim-pass-1280.png"), 1280);
    let member = read::member(&mut rpc, Role::Creator, &penniless.pubkey()).unwrap().unwrap();
    assert_eq!(member.pass_status(), PassStatus::Active);
    assert!(rpc.get_account(&penniless.pubkey()).unwrap().is_none_or(|a| a.lamports == 0), "the wallet holds no SOL");
    // Withdraw: the top holder's 100 reward tokens, paid by its own wallet.
    browser.open(&profile(&top));
    browser.add_test_wallet(&holders[9].0);
    browser.click("#creator-withdraw button.connect");
    browser.wait_text("#creator-withdraw .wallet-list", 10, |t| t.contains("Pictor Test Wallet"));
    browser.click("#creator-withdraw .wallet-list button");
    browser.wait_text("#creator-withdraw .outcome", 10, |t| t.starts_with("Connected"));
    browser.screenshot(&shots.join("withdraw-connected-1280.png"), 1280);
    browser.click("#creator-withdraw button.go");
    let withdrawn = browser.wait_text("#creator-withdraw .outcome", 90, |t| {
        t.starts_with("Confirmed") || t.starts_with("Refused") || t.starts_with("Expired")
    });
    assert_eq!(withdrawn, "Confirmed: the rewards are in your wallet. Showing it…");
    browser.wait_text("#creator-rewards", 30, |t| t == "0 tokens credited and withdrawable");
    let ata = pda::reward_destination(&top, &reward_mint.parse().unwrap(), &anchor_spl::token::spl_token::ID);
    let account = rpc.get_account(&ata).unwrap().expect("the holder's reward token account");
    assert_eq!(u64::from_le_bytes(account.data[64..72].try_into().unwrap()), 100_000_000, "100 tokens withdrawn");

    // Human errors.
    browser.open(&format!("{site}/profile/not-a-wallet"));
    assert_eq!(browser.text("h1"), "That is not a wallet address");
    browser.open(&profile(&Keypair::new().pubkey()));
    assert_eq!(browser.text("#unknown h2"), "No Pictor activity for this wallet yet");
    browser.open(&format!("{site}/leaderboard/painter"));
    assert_eq!(browser.text("h1"), "No such role");

    // The TypeScript client: the accounts as the Rust SDK reads them.
    let config = read::config(&mut rpc).unwrap().unwrap();
    let mut members = Vec::new();
    for (role, wallet) in [(Role::Creator, top), (Role::Creator, claimer.pubkey()), (Role::Worker, worker.pubkey())] {
        let m = read::member(&mut rpc, role, &wallet).unwrap().unwrap();
        members.push(json!({"role": role.as_str(), "wallet": wallet.to_string(), "account": member_json(&m)}));
    }
    let fixture = json!({
        "rpc_url": net.url,
        "config": config_json(&config),
        "boards": {
            "creator": board_json(&read::board(&mut rpc, Role::Creator).unwrap().unwrap()),
            "worker": board_json(&read::board(&mut rpc, Role::Worker).unwrap().unwrap()),
        },
        "members": members,
        "claimer": {"keypair": claimer_path, "wallet": claimer.pubkey().to_string()},
    });
    let fixture_path = net.root.join("ts-fixture.json");
    fs::write(&fixture_path, serde_json::to_string_pretty(&fixture).unwrap()).unwrap();
    let tap = node_test(&fixture_path);
    for line in ["# pass 2", "# fail 0", "# skipped 0"] {
        assert!(tap.lines().any(|l| l.trim() == line), "{line} in the Node test's report:\n{tap}");
    }
    // The pass the TypeScript client claimed, read back by the Rust SDK.
    let claimed = read::member(&mut rpc, Role::Creator, &claimer.pubkey()).unwrap().unwrap();
    assert_eq!(claimed.pass_status(), PassStatus::Active);

    // A cluster that is down: a human page, not a stack trace.
    net.stop();
    browser.open(&profile(&top));
    assert_eq!(browser.text("h1"), "The Solana cluster is not answering");
    drop(server);
    eprintln!("screenshots: {} {}", profile_png.display(), leaderboard_png.display());
}
