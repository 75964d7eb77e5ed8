//! The HTML pages: server-rendered, readable on a phone and complete without
//! JavaScript. They lay out the SDK's figures (`profile::RoleStatus`,
//! `profile::leaderboard`) with their units; they compute no rule. The
//! stylesheet and the Profile's wallet-flow script are this server's own
//! files ([`crate::assets`]): no inline style or script, so the pages'
//! Content-Security-Policy allows nothing else.
use super::metadata::percent;
use super::{LeaderboardView, ProfileView};
use axum::response::Html;
use pictor_vip_sdk::pda;
use pictor_vip_sdk::profile::{Progress, RoleStatus, ScoreBreakdown};
use pictor_vip_sdk::state::{Config, PassStatus, Role};
use pictor_vip_sdk::units::format_rfc3339;
use pictor_vip_sdk::units::{format_token_amount, format_usdt, group_thousands};
use pictor_vip_sdk::Pubkey;
use std::fmt::Write;

/// What every page says of the site: the cluster it reads (its URL
/// masked), its own public address, whether a sponsor pays claims.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    /// The cluster's RPC URL, credentials masked.
    pub shown_url: &'a str,
    /// This server's public address, no trailing slash.
    pub public_url: &'a str,
    /// Claims are paid by the server's sponsor.
    pub sponsored: bool,
    /// The Wallet Standard chain of the cluster (`solana:mainnet`, …,
    /// `solana:localnet`), which the wallet flow names to the wallet.
    pub chain: &'a str,
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page.
pub fn html(document: String) -> Html<String> {
    Html(document)
}

fn layout(title: &str, body: &str) -> String {
    page(title, body, false)
}

/// A whole page; `script`: with the wallet flow's script.
fn page(title: &str, body: &str, script: bool) -> String {
    let script = if script {
        format!("<script src=\"{}\" defer></script>", crate::assets::script_path())
    } else {
        String::new()
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Pictor VIP Pass</title><link rel=\"stylesheet\" href=\"{}\">{script}</head><body>\
         <header><a class=\"brand\" href=\"/\">Pictor VIP Pass</a>\
         <a href=\"/leaderboard/creator\">Creator leaderboard</a><a href=\"/leaderboard/worker\">Worker leaderboard</a></header>\
         <main>{body}</main></body></html>\n",
        esc(title),
        crate::assets::style_path()
    )
}

fn search_form(value: &str) -> String {
    format!(
        "<form action=\"/profile\" method=\"get\" role=\"search\">\
         <label class=\"muted full-row\" for=\"wallet\">Wallet address</label>\
         <input type=\"text\" id=\"wallet\" name=\"wallet\" value=\"{}\" placeholder=\"e.g. 7Np4…\" autocomplete=\"off\" spellcheck=\"false\" required>\
         <button type=\"submit\">Check VIP status</button></form>",
        esc(value)
    )
}

/// `/`: what the pass is, a wallet search box, the leaderboards.
pub fn start_page(rpc_url: &str) -> String {
    let body = format!(
        "<h1>Check your VIP status</h1>\
         <section><p>The Pictor VIP Pass is a soulbound NFT for the creators who spend the most on rendering and the \
         workers whose GPUs stay online. Holders are ranked every round; the top of each role gets priority. \
         Enter a wallet to see its pass, its progress, its score and its rank.</p>{}</section>\
         <section><h2>Leaderboards</h2><p><a href=\"/leaderboard/creator\">Creators</a> · <a href=\"/leaderboard/worker\">Workers</a></p></section>\
         <p class=\"muted\">Reading the cluster at <span class=\"mono\">{}</span>.</p>",
        search_form(""),
        esc(rpc_url)
    );
    layout("Check your VIP status", &body)
}

/// `/claim/ROLE` and `/withdraw/ROLE`: the page a blink's URL opens in a
/// browser (and `actions.json` maps to its Action): what it does, the
/// Action's link, and a wallet search that leads to the Profile, where the
/// wallet claims or withdraws.
pub fn action_page(flow: WalletFlow, role: Role, site: &Site) -> String {
    let (title, what) = match flow {
        WalletFlow::Claim => (
            format!("Claim the {} VIP pass", role.as_str()),
            "Enter your wallet's address to see whether it is eligible; its Profile then offers the claim with your \
             wallet.",
        ),
        WalletFlow::Withdraw => (
            format!("Withdraw {} rank rewards", role.as_str()),
            "Enter your wallet's address to see its reward balance; its Profile then offers the withdrawal with your \
             wallet.",
        ),
    };
    let link = blink(flow, role, site.public_url);
    let body = format!(
        "<h1>{}</h1><section><p>{what}</p>{}</section><section><h2>As a blink</h2><p>Wallets and apps that open \
         Solana Actions show this as a button: <a class=\"mono blink\" href=\"{}\">{}</a>.</p></section>",
        esc(&title),
        search_form(""),
        esc(&link),
        esc(&link)
    );
    layout(&title, &body)
}

/// An error a person can act on.
pub fn error_page(title: &str, text: &str) -> String {
    let body = format!("<h1>{}</h1><section><p>{}</p>{}</section>", esc(title), esc(text), search_form(""));
    layout(title, &body)
}

/// A role's name as a title ("Creator").
pub(crate) fn role_title(role: Role) -> &'static str {
    match role {
        Role::Creator => "Creator",
        Role::Worker => "Worker",
    }
}

/// A bar `part / whole`, full when reached.
fn bar(id: &str, part: u64, whole: u64, label: &str) -> String {
    let pct = if whole == 0 { 100 } else { (u128::from(part.min(whole)) * 100 / u128::from(whole)) as u64 };
    format!(
        "<progress class=\"bar{}\" max=\"100\" value=\"{pct}\" aria-label=\"{}\">{pct} %</progress>\
         <p class=\"figure\" id=\"{id}\">{}</p>",
        if part >= whole { " full" } else { "" },
        esc(label),
        esc(label)
    )
}

/// A link to the Solana Explorer for `address` on the cluster at `rpc_url`.
pub fn explorer_link(address: &Pubkey, rpc_url: &str) -> String {
    let cluster = if rpc_url.contains("devnet") {
        "?cluster=devnet".to_string()
    } else if rpc_url.contains("testnet") {
        "?cluster=testnet".to_string()
    } else if rpc_url.contains("mainnet") {
        String::new()
    } else {
        let encoded: String = rpc_url
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                b => format!("%{b:02X}"),
            })
            .collect();
        format!("?cluster=custom&customUrl={encoded}")
    };
    format!("https://explorer.solana.com/address/{address}{cluster}")
}

fn eligibility_html(role: Role, progress: &Progress) -> String {
    let id = role.as_str();
    let mut out = format!(
        "<h3>Eligibility <span class=\"badge {}\" id=\"{id}-eligible\">{}</span></h3>",
        if progress.eligible() { "yes" } else { "no" },
        if progress.eligible() { "eligible" } else { "not yet eligible" }
    );
    match progress {
        Progress::Creator(c) => {
            let label = format!(
                "{} / {} spent",
                format_usdt(c.spent_base_units).trim_end_matches(" USDT"),
                format_usdt(c.required_base_units)
            );
            out += &bar(&format!("{id}-spent"), c.spent_base_units, c.required_base_units, &label);
        }
        Progress::Worker(w) => {
            let uptime = format!(
                "{} / {} minutes online ({} h/day on average required)",
                group_thousands(w.total_uptime_minutes),
                group_thousands(w.required_uptime_minutes),
                w.required_uptime_minutes / 60 / u64::from(w.window_days.max(1))
            );
            out += &bar(&format!("{id}-uptime"), w.total_uptime_minutes, w.required_uptime_minutes, &uptime);
            let days = format!(
                "{} of {} days online, {} offline days in a row (max {})",
                w.online_days, w.window_days, w.longest_offline_run_days, w.max_offline_run_days
            );
            out += &bar(&format!("{id}-days"), u64::from(w.online_days), u64::from(w.window_days), &days);
            let _ = write!(
                out,
                "<p class=\"muted\">Window: the {} completed UTC days {} to {}.</p>",
                w.window_days,
                pictor_vip_sdk::units::format_day(i64::from(w.window_first_day)),
                pictor_vip_sdk::units::format_day(i64::from(w.window_last_day))
            );
        }
    }
    out
}

fn score_html(role: Role, breakdown: &Option<ScoreBreakdown>) -> String {
    let id = role.as_str();
    let Some(b) = breakdown else {
        return "<h3>Score now</h3><p class=\"muted\">Scores are computed for pass holders.</p>".into();
    };
    let rows: Vec<(&str, String)> = match b {
        ScoreBreakdown::Creator(c) => vec![
            ("Recharges this UTC month (1 point per USDT)", group_thousands(c.recharge_points)),
            ("Frames rendered (1 point each)", group_thousands(c.frame_points)),
            ("Holding the pass", group_thousands(c.ownership_points)),
        ],
        ScoreBreakdown::Worker(w) => vec![
            ("Uptime (average hours online per day, last 30 days)", group_thousands(w.uptime_points)),
            ("Jobs (+5 per frame, −10 per failed job)", group_thousands(w.job_points)),
            (
                if w.gpu_multiplier_bps == 10_000 {
                    "GPU (10 per 100 h online)"
                } else {
                    "GPU (10 per 100 h online × tier)"
                },
                format!(
                    "{} <span class=\"muted\">(× {}.{:02})</span>",
                    group_thousands(w.gpu_points),
                    w.gpu_multiplier_bps / 10_000,
                    w.gpu_multiplier_bps % 10_000 / 100
                ),
            ),
            ("Holding the pass", group_thousands(w.ownership_points)),
        ],
    };
    let mut out =
        format!("<h3>Score now</h3><table id=\"{id}-score\"><tr><th>Criterion</th><th class=\"num\">Points</th></tr>");
    for (what, points) in rows {
        let _ = write!(out, "<tr><td>{}</td><td class=\"num\">{points}</td></tr>", esc(what));
    }
    let _ = write!(
        out,
        "<tr><th>Total</th><th class=\"num\" id=\"{id}-score-total\">{} points</th></tr></table>",
        group_thousands(b.total())
    );
    out
}

fn rank_html(role: Role, s: &RoleStatus, config: &Config, wallet: &Pubkey, site: &Site) -> String {
    let rpc_url = site.shown_url;
    let id = role.as_str();
    let mut out = String::from("<h3>Latest round</h3>");
    match (&s.finalised_round, &s.rank) {
        (None, _) => out += "<p class=\"muted\">No ranking round finalised yet.</p>",
        (Some(r), None) => {
            let _ = write!(
                out,
                "<p id=\"{id}-rank\">Not ranked in round {} (finalised {}): only pass holders are ranked.</p>",
                r.round,
                when(r.finalised_ts)
            );
        }
        (Some(r), Some(e)) => {
            let _ = write!(
                out,
                "<p class=\"figure\" id=\"{id}-rank\">Rank {} of {} in round {}, {} points at the round's snapshot</p>\
                 <p><span class=\"badge {}\" id=\"{id}-priority\">{}</span> <span class=\"muted\">the top {} of holders \
                 ({} of {}) get priority · finalised {}</span></p>",
                group_thousands(e.rank),
                group_thousands(r.members),
                r.round,
                group_thousands(e.score),
                if e.priority { "yes" } else { "neutral" },
                if e.priority { "priority" } else { "no priority this round" },
                percent(config.rules.priority_bps),
                r.priority_count,
                r.members,
                when(r.finalised_ts)
            );
        }
    }
    // What the standing buys in job distribution (SPEC §10), in plain words.
    let b = crate::benefits::benefit(role, s);
    let mut sentence = b.sentence;
    if let Some(first) = sentence.get(..1) {
        sentence = first.to_uppercase() + &sentence[1..];
    }
    let _ = write!(out, "<h3>This round</h3><p id=\"{id}-benefit\">{}.</p>", esc(&sentence));
    if let Some((mint, decimals)) = s.reward_mint {
        let _ = write!(
            out,
            "<h3>Rewards</h3><p class=\"figure\" id=\"{id}-rewards\">{} tokens credited and withdrawable</p>\
             <p class=\"muted\">Reward token <a class=\"mono\" href=\"{}\">{mint}</a>.</p>",
            format_token_amount(s.reward_balance_base_units, decimals),
            esc(&explorer_link(&mint, rpc_url)),
        );
        if s.reward_balance_base_units > 0 {
            out += &wallet_flow(WalletFlow::Withdraw, role, wallet, site);
        }
    }
    out
}

/// What a holder does from the Profile with its wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletFlow {
    /// Claim the pass.
    Claim,
    /// Withdraw the rank rewards.
    Withdraw,
}

/// The blink (a Solana Action link) of `flow` for `role` on this server.
pub fn blink(flow: WalletFlow, role: Role, public_url: &str) -> String {
    let kind = if flow == WalletFlow::Claim { "claim" } else { "withdraw" };
    format!("solana-action:{public_url}/api/actions/{kind}/{}", role.as_str())
}

/// A query-string value: every byte but the unreserved ones percent-encoded.
pub fn query_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// A claim or withdrawal block: complete without JavaScript (the command
/// line, the blink link); with it, the script (`app/web`) shows Connect and
/// the action's button, asks the Action for the transaction, has the wallet
/// sign and send it, and says what became of it.
fn wallet_flow(flow: WalletFlow, role: Role, wallet: &Pubkey, site: &Site) -> String {
    let id = role.as_str();
    let (kind, button, command) = match flow {
        WalletFlow::Claim => ("claim", "Claim the pass", format!("pictor-vip claim {id}")),
        WalletFlow::Withdraw => ("withdraw", "Withdraw the rewards", format!("pictor-vip rewards withdraw {id}")),
    };
    let blink = blink(flow, role, site.public_url);
    let paid = match (flow, site.sponsored) {
        (WalletFlow::Claim, true) => " Pictor pays the fee and the rent: your wallet needs no SOL.",
        (WalletFlow::Claim, false) => {
            " Your wallet pays the network fee and the pass's rent in SOL (the rent comes back if the pass is ever \
             closed)."
        }
        (WalletFlow::Withdraw, _) => " Your wallet pays the network fee (a fraction of a cent in SOL).",
    };
    format!(
        "<div class=\"wallet-flow\" id=\"{id}-{kind}\" data-action=\"/api/actions/{kind}/{id}\" data-kind=\"{kind}\" \
         data-role=\"{id}\" data-wallet=\"{wallet}\" data-chain=\"{}\"><p><strong>{button} with your wallet.</strong>{paid}</p>\
         <div class=\"buttons\" hidden><button type=\"button\" class=\"connect\">Connect a wallet</button>\
         <button type=\"button\" class=\"go\" hidden>{button}</button></div>\
         <ul class=\"wallet-list\" hidden></ul><p class=\"outcome\" role=\"status\" aria-live=\"polite\"></p>\
         <p class=\"muted\">From a wallet that opens Solana Actions (a blink): <a class=\"mono blink\" href=\"{}\">{}</a> \
         (<a href=\"https://dial.to/?action={}\">open it on dial.to</a>). From the command line, signed by this wallet's \
         keypair: <code>{command}</code>.</p></div>",
        esc(site.chain),
        esc(&blink),
        esc(&blink),
        query_encode(&blink),
    )
}

fn when(unix: i64) -> String {
    format_rfc3339(unix).replace('T', " ").replace('Z', " UTC")
}

fn role_section(view: &ProfileView, role: Role, status: &Option<RoleStatus>, site: &Site) -> String {
    let rpc_url = site.shown_url;
    let id = role.as_str();
    let mut out = format!("<section id=\"{id}\"><h2>{}</h2>", role_title(role));
    let Some(s) = status else {
        let need = match role {
            Role::Creator => format!("{} spent", format_usdt(view.profile.config.rules.creator_min_spent_base_units)),
            Role::Worker => format!(
                "{} h/day online on average over {} days",
                view.profile.config.rules.worker_min_daily_uptime_minutes / 60,
                view.profile.config.rules.scoring.worker_window_days
            ),
        };
        let _ = write!(
            out,
            "<p id=\"{id}-pass\">No {id} activity reported for this wallet yet. A {id} pass needs {}.</p></section>",
            esc(&need)
        );
        return out;
    };
    let pass = match s.pass {
        PassStatus::Active => {
            let mint = pda::pass_mint(role, &view.wallet);
            format!(
                "<p id=\"{id}-pass\"><span class=\"badge yes\">VIP Pass held</span> mint \
                 <a class=\"mono\" id=\"{id}-mint\" href=\"{}\">{mint}</a></p>",
                esc(&explorer_link(&mint, rpc_url))
            )
        }
        PassStatus::None | PassStatus::Burned if s.progress.eligible() => format!(
            "<p id=\"{id}-pass\"><span class=\"badge neutral\">No pass yet</span> This wallet is eligible: \
             it can claim the pass.</p>{}",
            wallet_flow(WalletFlow::Claim, role, &view.wallet, site)
        ),
        PassStatus::None => format!("<p id=\"{id}-pass\"><span class=\"badge neutral\">No pass yet</span></p>"),
        PassStatus::Revoked => format!(
            "<p id=\"{id}-pass\"><span class=\"badge no\">Pass revoked</span> The operator revoked this pass; \
             it cannot be claimed again unless reinstated.</p>"
        ),
        PassStatus::Burned => format!(
            "<p id=\"{id}-pass\"><span class=\"badge neutral\">Pass burned</span> The holder burned the pass; \
             it can be claimed again while eligible.</p>"
        ),
    };
    out += &pass;
    out += &eligibility_html(role, &s.progress);
    out += &score_html(role, &s.score_breakdown);
    out += &rank_html(role, s, &view.profile.config, &view.wallet, site);
    out += "</section>";
    out
}

/// `/profile/WALLET`: both roles, as of the cluster's clock.
pub fn profile_page(view: &ProfileView, site: &Site) -> String {
    let rpc_url = site.shown_url;
    let mut body = format!(
        "<h1>VIP status</h1><p class=\"mono\" id=\"wallet-address\">{}</p>\
         <p class=\"muted\">As of {} (the cluster's clock). Figures from the cluster at <span class=\"mono\">{}</span>.</p>",
        view.wallet,
        when(view.profile.now),
        esc(rpc_url)
    );
    if view.profile.creator.is_none() && view.profile.worker.is_none() {
        body += "<section id=\"unknown\"><h2>No Pictor activity for this wallet yet</h2><p>The network's oracle has \
                 reported no spending and no uptime for this address. If you have just started using Pictor, your \
                 first reports appear within a day; otherwise check the address.</p></section>";
    }
    body += &role_section(view, Role::Creator, &view.profile.creator, site);
    body += &role_section(view, Role::Worker, &view.profile.worker, site);
    body += &format!("<section>{}</section>", search_form(""));
    page("VIP status", &body, true)
}

/// `/leaderboard/ROLE`: the latest finalised round, the priority cutoff marked.
pub fn leaderboard_page(view: &LeaderboardView, limit: usize) -> String {
    let title = format!("{} leaderboard", role_title(view.role));
    let mut body = format!("<h1>{title}</h1>");
    let Some((round, rows)) = &view.round else {
        body += "<section><p>No ranking round has been finalised for this role yet.</p></section>";
        return layout(&title, &body);
    };
    let _ = write!(
        body,
        "<p id=\"round-summary\">Round {} · finalised {} · {} members ranked · {} with priority</p>",
        round.round,
        when(round.finalised_ts),
        group_thousands(round.members),
        group_thousands(round.priority_count)
    );
    body += "<section class=\"scroll\"><table id=\"leaderboard\"><tr><th class=\"num\">Rank</th><th>Wallet</th>\
             <th class=\"num\">Score (points)</th><th>Priority</th></tr>";
    let cutoff = format!(
        "<tr class=\"cutoff\" id=\"cutoff\"><td colspan=\"4\">▲ priority cutoff: the top {} {}</td></tr>",
        group_thousands(round.priority_count),
        match round.cutoff_score {
            Some(score) if round.priority_count > 0 =>
                format!("(scores of {} points and more)", group_thousands(score)),
            _ => "(nobody this round)".into(),
        }
    );
    if round.priority_count == 0 {
        body += &cutoff;
    }
    for r in rows.iter().take(limit) {
        let _ = write!(
            body,
            "<tr class=\"{}\"><td class=\"num\">{}</td><td><a class=\"mono\" href=\"/profile/{w}\">{w}</a></td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            if r.entry.priority { "priority" } else { "" },
            group_thousands(r.entry.rank),
            group_thousands(r.entry.score),
            if r.entry.priority { "priority" } else { "" },
            w = r.wallet,
        );
        if round.priority_count > 0 && r.entry.rank == round.priority_count {
            body += &cutoff;
        }
    }
    body += "</table></section>";
    if rows.len() > limit {
        let _ = write!(
            body,
            "<p class=\"muted\">Showing the first {limit} of {} ranked members: <a href=\"?limit={}\">show more</a>.</p>",
            rows.len(),
            (limit * 2).min(super::MAX_LEADERBOARD_ROWS)
        );
    }
    layout(&title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn explorer_links_name_the_cluster() {
        let k = Pubkey::new_unique();
        assert_eq!(
            explorer_link(&k, "https://api.devnet.solana.com"),
            format!("https://explorer.solana.com/address/{k}?cluster=devnet")
        );
        assert_eq!(
            explorer_link(&k, "https://api.mainnet-beta.solana.com"),
            format!("https://explorer.solana.com/address/{k}")
        );
        assert_eq!(
            explorer_link(&k, "http://127.0.0.1:8899"),
            format!("https://explorer.solana.com/address/{k}?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A8899")
        );
    }

    #[test]
    fn bars_are_full_at_the_threshold_and_capped() {
        assert!(bar("x", 5, 5, "l").contains("class=\"bar full\""));
        assert!(bar("x", 9, 5, "l").contains("value=\"100\""));
        assert!(bar("x", 16, 25, "l").contains("value=\"64\""));
        assert!(bar("x", 1, 0, "l").contains("value=\"100\""));
        assert!(!bar("x", 1, 2, "l").contains("style="), "no inline style: the CSP allows none");
    }
}
