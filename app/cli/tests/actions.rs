//! Solana Actions (SPEC §11) on a real local cluster, as a wallet uses them.
//!
//! A blink client written here does what a wallet does with an Action: GET
//! the Action, POST the account, decode the transaction, check its fee
//! payer and instructions against the SDK's own builder (the CLI's), sign
//! it with the wallet's key, send it, and see the pass on-chain and on the
//! Profile. Every refusal is asked for and read. A second server sponsors
//! claims: a wallet with 0 SOL ends with its pass and still 0 SOL; the
//! sponsor refuses an ineligible wallet, a second claim, the day's limit,
//! and every request to pay for anything else.
mod localnet;

use base64::Engine;
use localnet::*;
use pictor_vip_keeper::feed::format_rfc3339;
use pictor_vip_sdk::state::{PassStatus, Role};
use pictor_vip_sdk::transport::{Rpc, Transport};
use pictor_vip_sdk::{holder, pda, read, Keypair, Pubkey, Signer};
use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};
use solana_transaction::Transaction;
use std::time::{Duration, Instant};

/// A wallet's view of an Action server.
struct Blink {
    http: Client,
    site: String,
}

impl Blink {
    fn get(&self, path: &str) -> Response {
        self.http.get(format!("{}{path}", self.site)).send().unwrap()
    }

    fn post(&self, path: &str, body: impl Into<reqwest::blocking::Body>) -> Response {
        self.http
            .post(format!("{}{path}", self.site))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap()
    }

    /// POSTs `{"account": wallet}`: the transaction, or (status, message).
    fn post_account(&self, path: &str, wallet: &str) -> Result<(Transaction, String), (u16, String)> {
        let response = self.post(path, json!({ "account": wallet }).to_string());
        let status = response.status().as_u16();
        assert_action_headers(&response);
        let body: Value = response.json().unwrap();
        if status != 200 {
            let message = body["message"].as_str().unwrap_or_else(|| panic!("a refusal has a message: {body}"));
            assert!(body.as_object().unwrap().len() == 1, "a refusal is {{\"message\"}} and nothing built: {body}");
            return Err((status, message.to_string()));
        }
        assert_eq!(body["type"], "transaction", "{body}");
        let bytes = base64::engine::general_purpose::STANDARD.decode(body["transaction"].as_str().unwrap()).unwrap();
        let tx: Transaction = bincode::deserialize(&bytes).unwrap();
        Ok((tx, body["message"].as_str().unwrap().to_string()))
    }
}

/// The headers §11 requires on every Action response.
fn assert_action_headers(r: &Response) {
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    assert_eq!(h["access-control-allow-methods"], "GET,POST,PUT,OPTIONS");
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    for name in ["Content-Type", "Authorization", "Content-Encoding", "Accept-Encoding"] {
        assert!(allowed.contains(name), "{name} allowed: {allowed}");
    }
    assert_eq!(h["x-action-version"], "2.4");
}

/// The metric `name{labels}`'s value in a scrape.
fn metric(scrape: &str, series: &str) -> f64 {
    scrape
        .lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("{series} in the scrape:\n{scrape}"))
        .trim()
        .parse()
        .unwrap()
}

/// The transaction is `built`'s instructions, paid by `payer`, at a recent
/// blockhash, every signature but the sponsor's empty.
fn assert_is(tx: &Transaction, built: &holder::Built, payer: &Pubkey, rpc: &Rpc, wallet: &Pubkey) {
    let expected = holder::unsigned(&built.instructions, payer, tx.message.recent_blockhash);
    assert_eq!(tx.message, expected.message, "the Action's transaction is the SDK's (the CLI's)");
    assert_eq!(tx.message.account_keys[0], *payer, "fee payer");
    let slot = tx.message.account_keys.iter().position(|k| k == wallet).unwrap();
    assert!(slot < usize::from(tx.message.header.num_required_signatures), "the wallet signs");
    assert_eq!(tx.signatures[slot], Default::default(), "the wallet's signature is left empty");
    assert!(rpc.blockhash_is_valid(&tx.message.recent_blockhash).unwrap(), "a recent blockhash");
}

/// Signs `tx` as `wallet` (what the wallet does) and sends it.
fn sign_and_send(rpc: &Rpc, mut tx: Transaction, wallet: &Keypair) {
    let blockhash = tx.message.recent_blockhash;
    tx.try_partial_sign(&[wallet], blockhash).unwrap();
    assert!(tx.verify().is_ok() && tx.is_signed(), "every signature present and valid");
    let signature = rpc.send_signed(&tx).unwrap_or_else(|e| panic!("sending: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match rpc.signature_status(&signature).unwrap() {
            Some(Ok(())) => return,
            Some(Err(e)) => panic!("the transaction failed: {e}"),
            None => assert!(Instant::now() < deadline, "not confirmed in 60 s"),
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// A wallet's SOL balance, lamports (0 for an account that does not exist).
fn lamports(rpc: &mut Rpc, key: &Pubkey) -> u64 {
    rpc.get_account(key).unwrap().map_or(0, |a| a.lamports)
}

fn creator_lines(lines: &mut Vec<String>, at: &str, w: &Pubkey, recharge: u64, spend: u64) {
    lines.push(format!(r#"{{"type":"recharge","at":"{at}","wallet":"{w}","seq":1,"usdt":"{recharge}"}}"#));
    lines.push(format!(r#"{{"type":"spend","at":"{at}","wallet":"{w}","seq":2,"usdt":"{spend}"}}"#));
}

#[test]
fn a_wallet_claims_and_withdraws_through_solana_actions_and_the_sponsor_pays_for_wallets_without_sol() {
    let _one = serial();
    let net = Cluster::start("actions", &["--no-init"]);
    // Without the round cadence: the rounds run when the test says.
    let deploy = deployment_with(&net, 600, |d| {
        (d.rules.round_period_secs, d.rules.round_open_window_secs, d.rules.round_offset_secs) = (0, 0, 0);
    });
    net.cli(&net.authority, &["init", "--config", deploy.to_str().unwrap()]).json();
    let oracle = net.key(&net.oracle);
    let mut rpc = net.rpc(&oracle);
    let at = format_rfc3339(rpc.now().unwrap() - 5);

    // Creators: a holder (claims with the CLI, gets rank rewards), a
    // self-paying claimer, a near-miss (3,200 of 5,000 USDT), one to revoke;
    // four eligible wallets with no SOL at all, for the sponsor.
    let (holder_key, holder_path) = net.wallets("holder", 1, 1).remove(0);
    let (claimer, _) = net.wallets("claimer", 1, 1).remove(0);
    let (near, _) = net.wallets("near", 1, 1).remove(0);
    let (cheat, cheat_path) = net.wallets("cheat", 1, 1).remove(0);
    let penniless: Vec<Keypair> = (0..4).map(|_| Keypair::new()).collect();
    let mut lines = Vec::new();
    creator_lines(&mut lines, &at, &holder_key.pubkey(), 9_000, 6_000);
    creator_lines(&mut lines, &at, &claimer.pubkey(), 5_500, 5_000);
    creator_lines(&mut lines, &at, &near.pubkey(), 4_000, 3_200);
    creator_lines(&mut lines, &at, &cheat.pubkey(), 7_000, 5_000);
    for (i, k) in penniless.iter().enumerate() {
        creator_lines(&mut lines, &at, &k.pubkey(), 6_000 + i as u64, 5_000);
    }
    let summary = net.feed(&write_feed(&net, "actions.feed", &lines), &[]);
    assert_eq!(summary["refused"].as_array().map(Vec::len), Some(0), "{summary}");
    net.cli(&holder_path, &["claim", "creator"]).json();
    net.cli(&cheat_path, &["claim", "creator"]).json();
    net.cli(&net.authority, &["revoke", "creator", &cheat.pubkey().to_string(), "--reason", "7"]).json();

    let (_server, site, metrics_url) = serve(&net.url, &net.root.join("serve.log"), &[]);
    let blink = Blink { http: Client::builder().timeout(Duration::from_secs(60)).build().unwrap(), site: site.clone() };
    let genesis = rpc.genesis_hash().unwrap();

    // actions.json, OPTIONS, the headers.
    let rules = blink.get("/actions.json");
    assert_eq!(rules.status(), 200);
    assert_action_headers(&rules);
    assert_eq!(rules.headers()["x-blockchain-ids"].to_str().unwrap(), format!("solana:{}", &genesis[..32]));
    let rules: Value = rules.json().unwrap();
    assert_eq!(rules["rules"][0], json!({"pathPattern": "/claim/*", "apiPath": "/api/actions/claim/*"}));
    assert_eq!(rules["rules"][1], json!({"pathPattern": "/withdraw/*", "apiPath": "/api/actions/withdraw/*"}));
    for path in ["/actions.json", "/api/actions/claim/creator", "/api/actions/withdraw/worker"] {
        let preflight = blink.http.request(reqwest::Method::OPTIONS, format!("{site}{path}")).send().unwrap();
        assert_eq!(preflight.status(), 200, "{path}");
        assert_action_headers(&preflight);
    }
    // The page a blink's URL opens in a browser.
    let page = blink.get("/claim/creator");
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains(&format!("solana-action:{site}/api/actions/claim/creator")));

    // GET: the Action; with ?wallet=, its progress and whether it can go on.
    let action: Value = blink.get("/api/actions/claim/creator").json().unwrap();
    assert_eq!(action["type"], "action");
    assert_eq!(action["icon"], format!("{site}/metadata/creator.svg"));
    assert_eq!(action["label"], "Claim the creator pass");
    assert!(action["title"].as_str().unwrap().contains("Creator"), "{action}");
    assert!(action.get("disabled").is_none(), "{action}");
    let near_action: Value = blink.get(&format!("/api/actions/claim/creator?wallet={}", near.pubkey())).json().unwrap();
    assert_eq!(near_action["disabled"], true);
    assert!(near_action["description"].as_str().unwrap().contains("3,200.00 / 5,000.00 USDT spent"), "{near_action}");
    assert!(near_action["error"]["message"].as_str().unwrap().contains("not eligible yet"), "{near_action}");
    let held: Value = blink.get(&format!("/api/actions/claim/creator?wallet={}", holder_key.pubkey())).json().unwrap();
    assert_eq!(
        (held["disabled"].as_bool(), held["error"]["message"].as_str()),
        (Some(true), Some("This wallet already holds this VIP pass."))
    );
    let ready: Value = blink.get(&format!("/api/actions/claim/creator?wallet={}", claimer.pubkey())).json().unwrap();
    assert!(
        ready.get("disabled").is_none()
            && ready["description"].as_str().unwrap().contains("5,000.00 / 5,000.00 USDT spent"),
        "{ready}"
    );

    // POST: the claim, exactly the CLI's transaction; the wallet signs and sends it.
    let claim_path = "/api/actions/claim/creator";
    let (tx, message) = blink.post_account(claim_path, &claimer.pubkey().to_string()).unwrap();
    assert!(message.starts_with("Claim the creator VIP pass"), "{message}");
    let built = holder::claim(&mut rpc, &claimer.pubkey(), Role::Creator, &claimer.pubkey()).unwrap().unwrap();
    assert_is(&tx, &built, &claimer.pubkey(), &rpc, &claimer.pubkey());
    let claimer_rpc = net.rpc(&claimer);
    sign_and_send(&claimer_rpc, tx, &claimer);
    let member = read::member(&mut rpc, Role::Creator, &claimer.pubkey()).unwrap().unwrap();
    assert_eq!(member.pass_status(), PassStatus::Active);
    let profile = blink.get(&format!("/profile/{}", claimer.pubkey())).text().unwrap();
    assert!(
        profile.contains("VIP Pass held")
            && profile.contains(&pda::pass_mint(Role::Creator, &claimer.pubkey()).to_string())
    );

    // A wallet the oracle never reported: the same 404 from the page and the API.
    let stranger = Keypair::new().pubkey();
    assert_eq!(blink.get(&format!("/profile/{stranger}")).status(), 404);
    let api = blink.get(&format!("/api/profile/{stranger}"));
    assert_eq!(api.status(), 404);
    let api: Value = api.json().unwrap();
    assert_eq!((api["status"].as_u64(), api["creator"].is_null()), (Some(404), true), "{api}");

    // Every refusal: HTTP 4xx, {"message"} in words, nothing built.
    let refused = |path: &str, wallet: &str| blink.post_account(path, wallet).map(|_| ()).unwrap_err();
    assert_eq!(
        refused(claim_path, "not-a-wallet"),
        (
            400,
            "“not-a-wallet” is not a Solana address: a wallet address is 32 to 44 letters and digits (base58).".into()
        )
    );
    let (status, text) = refused(claim_path, &near.pubkey().to_string());
    assert_eq!(status, 403);
    assert_eq!(text, "This wallet is not eligible yet: 3,200.00 / 5,000.00 USDT spent.");
    assert_eq!(
        refused(claim_path, &claimer.pubkey().to_string()),
        (409, "This wallet already holds this VIP pass.".into())
    );
    let (status, text) = refused(claim_path, &cheat.pubkey().to_string());
    assert_eq!(status, 403);
    assert!(text.contains("revoked"), "{text}");
    let (status, text) = refused(claim_path, &Keypair::new().pubkey().to_string());
    assert_eq!(status, 403);
    assert!(text.contains("no activity"), "{text}");
    let (status, text) = refused("/api/actions/withdraw/creator", &claimer.pubkey().to_string());
    assert_eq!(status, 409);
    assert!(text.contains("nothing to withdraw") || text.contains("no rank rewards"), "{text}");
    for (body, what) in
        [("{\"acount\": 1}", "must be JSON like"), ("not json", "must be JSON like"), ("", "must be JSON like")]
    {
        let r = blink.post(claim_path, body);
        assert_eq!(r.status(), 400, "{body}");
        assert_action_headers(&r);
        let said: Value = r.json().unwrap();
        assert!(said["message"].as_str().unwrap().contains(what), "{said}");
    }
    let oversized = blink.post(claim_path, format!("{{\"account\": \"{}\"}}", "1".repeat(5_000)));
    assert_eq!(oversized.status(), 413);
    let said: Value = oversized.json().unwrap();
    assert!(said["message"].as_str().unwrap().contains("4096 bytes"), "{said}");
    let unknown: Value = blink.post("/api/actions/claim/painter", "{}").json().unwrap();
    assert!(unknown["message"].as_str().unwrap().contains("creator and worker"), "{unknown}");
    // Paused: refused in words, nothing built.
    net.cli(&net.authority, &["pause"]).json();
    let (status, text) = refused(claim_path, &penniless[0].pubkey().to_string());
    assert_eq!((status, text.as_str()), (403, "The VIP Pass program is paused by its operator: try again later."));
    net.cli(&net.authority, &["unpause"]).json();

    // Withdraw: rank rewards for the round's top holder, through the Action.
    let reward_mint = reward_token(&net, 50_000_000);
    net.cli(
        &net.authority,
        &["rewards", "fund", "creator", "--mint", &reward_mint.to_string(), "--amount", "50", "--top", "1"],
    )
    .json();
    net.cli(&net.crank, &["rank", "creator"]).json();
    let withdraw: Value =
        blink.get(&format!("/api/actions/withdraw/creator?wallet={}", holder_key.pubkey())).json().unwrap();
    assert!(withdraw.get("disabled").is_none(), "{withdraw}");
    let (tx, message) = blink.post_account("/api/actions/withdraw/creator", &holder_key.pubkey().to_string()).unwrap();
    assert!(message.starts_with("Withdraw 50"), "{message}");
    let built = holder::withdraw(&mut rpc, &holder_key.pubkey(), Role::Creator, &holder_key.pubkey()).unwrap().unwrap();
    assert_is(&tx, &built, &holder_key.pubkey(), &rpc, &holder_key.pubkey());
    sign_and_send(&net.rpc(&holder_key), tx, &holder_key);
    let ata = pda::reward_destination(&holder_key.pubkey(), &reward_mint, &anchor_spl::token::spl_token::ID);
    let account = rpc.get_account(&ata).unwrap().expect("the holder's reward token account");
    assert_eq!(u64::from_le_bytes(account.data[64..72].try_into().unwrap()), 50_000_000, "50 tokens withdrawn");
    assert_eq!(refused("/api/actions/withdraw/creator", &holder_key.pubkey().to_string()).0, 409);

    // The metrics of what was shown, built and refused.
    let scrape = blink.http.get(&metrics_url).send().unwrap().text().unwrap();
    assert_eq!(metric(&scrape, r#"pictor_server_actions_built_total{action="claim",sponsored="false"}"#), 1.0);
    assert_eq!(metric(&scrape, r#"pictor_server_actions_built_total{action="withdraw",sponsored="false"}"#), 1.0);
    assert_eq!(metric(&scrape, r#"pictor_server_action_refusals_total{action="claim",reason="not_eligible"}"#), 1.0);
    assert_eq!(metric(&scrape, r#"pictor_server_action_refusals_total{action="claim",reason="already_holds"}"#), 1.0);
    assert_eq!(metric(&scrape, r#"pictor_server_action_refusals_total{action="claim",reason="not_an_address"}"#), 1.0);

    // The sponsor: pays fee and rent of claims, two a day here.
    let sponsor_key = net.root.join("sponsor.json");
    let (sponsor, _) = net.wallets("sponsor", 1, 2).remove(0);
    solana_keypair::write_keypair_file(&sponsor, &sponsor_key).unwrap();
    let state_dir = net.root.join("sponsor-state");
    let sponsored_args = [
        "--sponsor-keypair",
        sponsor_key.to_str().unwrap(),
        "--sponsor-daily-limit",
        "2",
        "--state-dir",
        state_dir.to_str().unwrap(),
    ];
    let (server2, site2, metrics2) = serve(&net.url, &net.root.join("serve-sponsor.log"), &sponsored_args);
    let paid = Blink { http: blink.http.clone(), site: site2.clone() };
    let offer: Value = paid.get(&format!("{claim_path}?wallet={}", penniless[0].pubkey())).json().unwrap();
    let links = offer["links"]["actions"].as_array().unwrap();
    assert_eq!(links.len(), 2, "{offer}");
    let sponsor_before = lamports(&mut rpc, &sponsor.pubkey());
    let first = &penniless[0];
    let (tx, message) = paid.post_account(claim_path, &first.pubkey().to_string()).unwrap();
    assert!(message.contains("Pictor pays the fee"), "{message}");
    let built = holder::claim(&mut rpc, &first.pubkey(), Role::Creator, &sponsor.pubkey()).unwrap().unwrap();
    assert_eq!(tx.message.account_keys[0], sponsor.pubkey(), "the sponsor pays");
    let expected = holder::unsigned(&built.instructions, &sponsor.pubkey(), tx.message.recent_blockhash);
    assert_eq!(tx.message, expected.message, "the sponsor signs only the claim it built, the CLI's");
    assert!(tx.signatures[0].verify(sponsor.pubkey().as_ref(), &tx.message_data()), "the sponsor has signed");
    // Asked again before it lands (the wallet declined, the page reloaded): the same transaction.
    let (again, _) = paid.post_account(claim_path, &first.pubkey().to_string()).unwrap();
    assert_eq!(again, tx, "never a second sponsored transaction while the first can land");
    assert_eq!(lamports(&mut rpc, &first.pubkey()), 0);
    sign_and_send(&net.rpc(&sponsor), tx, first);
    let member = read::member(&mut rpc, Role::Creator, &first.pubkey()).unwrap().unwrap();
    assert_eq!(member.pass_status(), PassStatus::Active);
    assert_eq!(member.header().pass_rent_payer, sponsor.pubkey(), "the rent returns to the sponsor (SPEC §3)");
    assert_eq!(lamports(&mut rpc, &first.pubkey()), 0, "the wallet still holds 0 SOL");
    assert!(lamports(&mut rpc, &sponsor.pubkey()) < sponsor_before, "the sponsor paid the fee and the rent");
    // Refused: an ineligible wallet, a second claim, the sponsor's own key, a withdrawal.
    assert_eq!(paid.post_account(claim_path, &near.pubkey().to_string()).unwrap_err().0, 403);
    assert_eq!(paid.post_account(claim_path, &first.pubkey().to_string()).unwrap_err().0, 409);
    let (status, text) = paid.post_account(claim_path, &sponsor.pubkey().to_string()).unwrap_err();
    assert_eq!(status, 400, "{text}");
    let (tx, _) = paid.post_account("/api/actions/withdraw/creator", &holder_key.pubkey().to_string()).map_or_else(
        |(s, m)| {
            assert_eq!(s, 409, "{m}");
            (None, m)
        },
        |(tx, m)| (Some(tx), m),
    );
    assert!(tx.is_none(), "nothing left to withdraw");
    // The day's limit: the second sponsorship is the last.
    paid.post_account(claim_path, &penniless[1].pubkey().to_string()).unwrap();
    let (status, text) = paid.post_account(claim_path, &penniless[2].pubkey().to_string()).unwrap_err();
    assert_eq!(status, 429, "{text}");
    assert!(text.contains("Today's 2 claims paid by Pictor are used up"), "{text}");
    // The holder may still pay itself: not sponsored, not counted.
    let (tx, _) = paid.post_account(&format!("{claim_path}?payer=self"), &penniless[2].pubkey().to_string()).unwrap();
    assert_eq!(tx.message.account_keys[0], penniless[2].pubkey());
    assert_eq!(tx.signatures[0], Default::default());
    // The relay sends only a holder's own signed claim or withdrawal.
    let transfer = Transaction::new_signed_with_payer(
        &[solana_system_interface::instruction::transfer(&sponsor.pubkey(), &oracle.pubkey(), 1)],
        Some(&sponsor.pubkey()),
        &[&sponsor],
        rpc.latest_blockhash().unwrap().0,
    );
    let crafted = base64::engine::general_purpose::STANDARD.encode(bincode::serialize(&transfer).unwrap());
    let relayed = paid.post("/api/transactions", json!({ "transaction": crafted }).to_string());
    assert_eq!(relayed.status(), 400);
    let said: Value = relayed.json().unwrap();
    assert!(said["detail"].as_str().unwrap().contains("not a claim or a withdrawal"), "{said}");
    let scrape = paid.http.get(&metrics2).send().unwrap().text().unwrap();
    assert_eq!(metric(&scrape, "pictor_server_sponsored_claims_total"), 2.0);
    assert_eq!(metric(&scrape, r#"pictor_server_sponsor_refusals_total{reason="daily_limit"}"#), 1.0);
    assert_eq!(metric(&scrape, r#"pictor_server_actions_built_total{action="claim",sponsored="true"}"#), 3.0);
    assert_eq!(metric(&scrape, r#"pictor_server_transactions_relayed_total{outcome="not_allowed"}"#), 1.0);

    // Across a restart, the ledger remembers: the day's limit still holds.
    // SIGTERM: the server answers what is in progress, closes its idle connections and exits 0.
    let t = Instant::now();
    let exit = server2.terminate();
    assert!(exit.success(), "serve exits 0 on SIGTERM: {exit}");
    assert!(t.elapsed() < Duration::from_secs(5), "stopped in {:?}", t.elapsed());
    let (_server3, site3, _) = serve(&net.url, &net.root.join("serve-sponsor-2.log"), &sponsored_args);
    let restarted = Blink { http: blink.http.clone(), site: site3 };
    assert_eq!(restarted.post_account(claim_path, &penniless[3].pubkey().to_string()).unwrap_err().0, 429);

    // A cluster that is down: 503 with the cluster's own words, never an internal error.
    assert!(net.stop().success());
    let (status, text) = blink.post_account(claim_path, &penniless[3].pubkey().to_string()).unwrap_err();
    assert_eq!(status, 503, "{text}");
    assert!(
        text.contains("not answering") || text.contains("Connection refused") || text.contains("error sending request"),
        "{text}"
    );
}
