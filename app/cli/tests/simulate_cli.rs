//! End-to-end tests through the `pictor-vip` binary on the in-process runtime.
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn simulate(feed: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_pictor-vip"))
        .args(["simulate", "--json", "--feed"])
        .arg(feed)
        .output()
        .unwrap();
    assert!(out.status.success(), "simulate failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn simulate_text(name: &str, feed: &str) -> Value {
    let path = std::env::temp_dir().join(format!("pictor-vip-{}-{name}.jsonl", std::process::id()));
    std::fs::write(&path, feed).unwrap();
    simulate(&path)
}

fn rejected_lines(v: &Value) -> Vec<u64> {
    v["rejected"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect()
}

#[test]
fn the_repository_copy_of_the_vectors_is_the_shared_one() {
    let shared = here().join("../../../shared/vectors");
    if !shared.exists() {
        return; // A clone without the workspace's shared/ beside it: the copy is what we have.
    }
    for f in ["edges.jsonl", "edges.expected.json"] {
        assert_eq!(
            std::fs::read(shared.join(f)).unwrap(),
            std::fs::read(here().join("tests/vectors").join(f)).unwrap(),
            "{f} drifted"
        );
    }
}

#[test]
fn the_edge_vectors_give_exactly_the_expected_output() {
    let got = simulate(&here().join("tests/vectors/edges.jsonl"));
    let expected: Value =
        serde_json::from_slice(&std::fs::read(here().join("tests/vectors/edges.expected.json")).unwrap()).unwrap();
    assert_eq!(got["members"], expected["members"]);
    assert_eq!(rejected_lines(&got), rejected_lines(&expected));
    for r in got["rejected"].as_array().unwrap() {
        assert!(!r["error"].as_str().unwrap().is_empty());
    }
    let strip = |v: &Value| -> Vec<Value> {
        v["rounds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| json!({"role": r["role"], "members": r["members"], "priority": r["priority"]}))
            .collect()
    };
    assert_eq!(strip(&got), strip(&expected));
}

/// A feed where every threshold is met exactly and missed by one unit.
fn threshold_feed() -> String {
    let mut lines = vec![
        // Creators: exactly 5,000 spent; one base unit short; spending above deposits refused.
        r#"{"type":"recharge","at":"2026-09-01T00:00:00Z","wallet":"c-exact","seq":1,"usdt":"6000"}"#.to_string(),
        r#"{"type":"spend","at":"2026-09-01T00:00:01Z","wallet":"c-exact","seq":2,"usdt":"5000"}"#.into(),
        r#"{"type":"frames","at":"2026-09-01T00:00:02Z","wallet":"c-exact","seq":3,"frames":40}"#.into(),
        r#"{"type":"recharge","at":"2026-09-01T00:00:03Z","wallet":"c-short","seq":1,"usdt":"9000"}"#.into(),
        r#"{"type":"spend","at":"2026-09-01T00:00:04Z","wallet":"c-short","seq":2,"usdt":"4999.999999"}"#.into(),
        r#"{"type":"recharge","at":"2026-09-01T00:00:05Z","wallet":"c-rich","seq":1,"usdt":"20000"}"#.into(),
        r#"{"type":"spend","at":"2026-09-01T00:00:06Z","wallet":"c-rich","seq":2,"usdt":"20000.000001"}"#.into(),
        r#"{"type":"spend","at":"2026-09-01T00:00:07Z","wallet":"c-rich","seq":3,"usdt":"20000"}"#.into(),
    ];
    // Workers over September 1–30, reported each next morning.
    type MinutesOnDay = fn(u32) -> u32;
    let workers: [(&str, MinutesOnDay); 4] = [
        ("w-exact", |_| 960),
        ("w-short", |d| if d == 15 { 959 } else { 960 }),
        ("w-3off", |d| if (10..13).contains(&d) { 0 } else { 1_067 }),
        ("w-4off", |d| if (10..14).contains(&d) { 0 } else { 1_440 }),
    ];
    for day in 1..=30u32 {
        for (i, (w, minutes)) in workers.iter().enumerate() {
            let next = if day == 30 { "2026-10-01".to_string() } else { format!("2026-09-{:02}", day + 1) };
            lines.push(format!(
                r#"{{"type":"worker_day","at":"{next}T00:0{i}:00Z","wallet":"{w}","seq":{day},"day":"2026-09-{day:02}","uptime_minutes":{},"frames_completed":2,"jobs_failed":0}}"#,
                minutes(day)
            ));
        }
    }
    for (w, role) in [
        ("c-exact", "creator"),
        ("c-short", "creator"),
        ("c-rich", "creator"),
        ("w-exact", "worker"),
        ("w-short", "worker"),
        ("w-3off", "worker"),
        ("w-4off", "worker"),
    ] {
        lines.push(format!(r#"{{"type":"claim","at":"2026-10-01T01:00:00Z","wallet":"{w}","role":"{role}"}}"#));
    }
    lines.push(r#"{"type":"round","at":"2026-10-01T02:00:00Z","role":"creator"}"#.into());
    lines.push(r#"{"type":"round","at":"2026-10-01T02:00:01Z","role":"worker"}"#.into());
    lines.join("\n") + "\n"
}

fn member<'a>(v: &'a Value, wallet: &str) -> &'a Value {
    v["members"].as_array().unwrap().iter().find(|m| m["wallet"] == wallet).unwrap()
}

#[test]
fn thresholds_met_exactly_pass_and_missed_by_one_unit_fail() {
    let v = simulate_text("thresholds", &threshold_feed());
    // Spending above deposits (c-rich, line 7) and the two short claims are refused.
    let claims_start = 8 + 120;
    assert_eq!(rejected_lines(&v), vec![7, claims_start + 2, claims_start + 5, claims_start + 7]);
    let expect = |w: &str, eligible: bool, score: Option<i64>, rank: Option<u64>, priority: bool| {
        let m = member(&v, w);
        assert_eq!((m["eligible"].as_bool().unwrap(), m["pass"].as_bool().unwrap()), (eligible, eligible), "{w}");
        assert_eq!(
            (m["score"].as_i64(), m["rank"].as_u64(), m["priority"].as_bool().unwrap()),
            (score, rank, priority),
            "{w}"
        );
    };
    // October: September's recharges no longer count. c-exact: 40 frames + 100; c-rich: 100.
    expect("c-exact", true, Some(140), Some(1), true);
    expect("c-short", false, None, None, false);
    expect("c-rich", true, Some(100), Some(2), false);
    // w-exact: 16 h + 5×60 frames + ⌊28,800/6,000⌋×10 = 40, +100.
    expect("w-exact", true, Some(16 + 300 + 40 + 100), Some(1), true);
    expect("w-short", false, None, None, false);
    // w-3off: 27 × 1,067 = 28,809 → 16 h; 300 job points; 4 GPU steps → 40; +100.
    expect("w-3off", true, Some(16 + 300 + 40 + 100), Some(2), false);
    expect("w-4off", false, None, None, false);
}

#[test]
fn a_replayed_feed_changes_nothing() {
    let feed = threshold_feed();
    let once = simulate_text("once", &feed);
    // Replay every oracle line an hour after the feed ends: every one is refused.
    let oracle_lines: Vec<&str> = feed.lines().filter(|l| l.contains("\"seq\"")).collect();
    let replay: Vec<String> = oracle_lines
        .iter()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v["at"] = json!("2026-10-01T03:00:00Z");
            v.to_string()
        })
        .collect();
    let twice = simulate_text("twice", &format!("{feed}{}\n", replay.join("\n")));
    assert_eq!(twice["members"], once["members"]);
    let first_replay = feed.lines().count() as u64 + 1;
    let replayed: Vec<u64> = rejected_lines(&twice).into_iter().filter(|&l| l >= first_replay).collect();
    assert_eq!(replayed.len(), oracle_lines.len(), "every replayed report is refused");
    for r in twice["rejected"].as_array().unwrap().iter().filter(|r| r["line"].as_u64().unwrap() >= first_replay) {
        assert!(r["error"].as_str().unwrap().starts_with("ReportAlreadyApplied"), "{r}");
    }
}

#[test]
fn malformed_and_out_of_order_lines_are_named_and_skipped() {
    let feed = [
        r#"{"type":"recharge","at":"2026-09-01T00:00:00Z","wallet":"a","seq":1,"usdt":"10"}"#,
        r#"{"type":"recharge","at":"2026-09-01T00:00:00Z","wallet":"a","seq":2,"usdt":"ten"}"#,
        r#"{"type":"recharge","at":"2026-08-31T23:59:59Z","wallet":"a","seq":3,"usdt":"1"}"#,
        r#"not json"#,
        r#"{"type":"frames","at":"2026-09-01T00:00:01Z","wallet":"a","seq":4,"frames":3}"#,
    ]
    .join("\n");
    let v = simulate_text("malformed", &feed);
    let rejected = v["rejected"].as_array().unwrap();
    assert_eq!(rejected_lines(&v), vec![2, 3, 4]);
    assert!(rejected[0]["error"].as_str().unwrap().contains("not a plain decimal"));
    assert!(rejected[1]["error"].as_str().unwrap().contains("earlier than the line before"));
    assert!(rejected[2]["error"].as_str().unwrap().contains("not JSON"));
    assert_eq!(v["members"].as_array().unwrap().len(), 1);
}

/// A line that is not UTF-8 is refused by its number; the lines around it
/// are read (SPEC §8). And `--feed -` reads standard input.
#[test]
fn a_line_that_is_not_utf8_is_refused_by_number_and_stdin_is_a_feed() {
    let mut feed = Vec::new();
    feed.extend_from_slice(br#"{"type":"recharge","at":"2026-09-01T00:00:00Z","wallet":"a","seq":1,"usdt":"10"}"#);
    feed.extend_from_slice(b"\n{\"type\":\"frames\",\"wallet\":\"\xff\xfe\"}\n");
    feed.extend_from_slice(br#"{"type":"frames","at":"2026-09-01T00:00:01Z","wallet":"a","seq":2,"frames":3}"#);
    feed.push(b'\n');
    let path = std::env::temp_dir().join(format!("pictor-vip-{}-latin1.jsonl", std::process::id()));
    std::fs::write(&path, &feed).unwrap();
    let v = simulate(&path);
    assert_eq!(rejected_lines(&v), vec![2]);
    let error = v["rejected"][0]["error"].as_str().unwrap();
    assert!(error.contains("not UTF-8"), "{error}");
    assert_eq!(v["members"].as_array().unwrap().len(), 1, "lines 1 and 3 are read");
    // The same feed on standard input.
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pictor-vip"))
        .args(["simulate", "--json", "--feed", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&feed).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let from_stdin: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_stdin, v);
}

#[test]
fn the_demo_runs_the_whole_story() {
    let out = Command::new(env!("CARGO_BIN_EXE_pictor-vip"))
        .args(["demo", "--creators", "60", "--workers", "40", "--days", "35"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    for needle in [
        "passes minted",
        "creator leaderboard, round ",
        "worker leaderboard, round ",
        "rounds follow a daily cadence",
        "PRIORITY",
        "job distribution (SPEC §10), 24 rounds",
        "lane 3 jobs served aged",
        "jobs per slot: priority workers",
        "no worker ever ran more jobs than its slots: checked every round",
    ] {
        assert!(text.contains(needle), "demo output lacks {needle:?}:\n{text}");
    }
    // Per lane: (median wait, worst wait, top-class share in %), read off the table.
    let lane = |name: &str| -> (u32, u32, f64) {
        let line = text.lines().find(|l| l.trim_start().starts_with(name)).unwrap_or_else(|| panic!("{name}"));
        let words: Vec<&str> = line.split_whitespace().collect();
        let slash = words.iter().position(|w| *w == "/").unwrap();
        (words[slash - 1].parse().unwrap(), words[slash + 1].parse().unwrap(), words[slash + 2].parse().unwrap())
    };
    let (l1, l3) = (lane("1: priority creators"), lane("3: everyone else"));
    assert!(l1.0 <= l3.0 && l1.1 <= l3.1, "priority jobs wait no longer: {l1:?} vs {l3:?}");
    assert!(l1.2 > l3.2, "holders get the best GPU class, the others the lowest that fits: {l1:?} vs {l3:?}");
    // With more idle slots than jobs, priority workers are picked first: more jobs per slot.
    let line = text.lines().find(|l| l.contains("VIP workers picked first")).expect("the worker figure");
    let per_slot: Vec<f64> = line
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|w| w.parse().ok().filter(|_| w.contains('.')))
        .collect();
    assert_eq!(per_slot.len(), 3, "{line}");
    assert!(per_slot[0] > per_slot[1] && per_slot[1] > per_slot[2], "priority, then ranked, then the rest: {line}");
    assert!(!text.contains("AnchorError"), "program logs leaked into the demo output");
    // No terminal (a pipe): the progress is plain lines on standard error, ending with the total.
    let progress = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = progress.lines().filter(|l| l.starts_with("feed lines: ")).collect();
    assert!(lines.len() >= 10 && lines.last().unwrap().contains(" done in "), "{progress}");
    assert!(!progress.contains('\r') && !progress.contains('\u{1b}'), "no terminal control in a log: {progress:?}");
}
