//! `pictor-vip dispatch` through the binary (SPEC §10's interface): a
//! worked instance checked field by field, the readable table, bad input
//! refused with the item named, standings read from a cluster.
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_pictor-vip")
}

/// Runs `pictor-vip ARGS` with `stdin` as standard input.
fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn worker(wallet: &str, model: &str, vram: u32, region: &str, free_slots: u32, idle_since: i64) -> Value {
    json!({"wallet": wallet, "gpu_model": model, "vram_gb": vram, "hashpower": 100, "region": region,
        "free_slots": free_slots, "idle_since": idle_since})
}

fn job(id: &str, creator: &str, arrival: i64, waited: u32, min_vram: u32) -> Value {
    json!({"id": id, "creator": creator, "arrival": arrival, "waited_rounds": waited, "gpu_models": null,
        "min_vram_gb": min_vram, "regions": null, "preferred_region": null})
}

/// Every rule of §10 at work in one round.
fn worked_instance() -> Value {
    let mut p1 = job("p1", "P", 5, 0, 0);
    p1["preferred_region"] = json!("EU");
    let mut h1 = job("h1", "H", 1, 0, 0);
    h1["preferred_region"] = json!("us");
    let mut o1 = job("o1", "X", 0, 12, 16);
    o1["gpu_models"] = json!(["t4", "RTX 4090"]);
    let mut o2 = job("o2", "X", 2, 0, 48);
    o2["regions"] = json!(["asia"]);
    json!({
        "gpu_classes": [{"min_vram_gb": 0, "min_hashpower": 0}, {"min_vram_gb": 16, "min_hashpower": 0},
                        {"min_vram_gb": 24, "min_hashpower": 0}, {"min_vram_gb": 48, "min_hashpower": 0}],
        "standings": {"creator": {"P": {"rank": 1, "priority": true}, "H": {"rank": 4, "priority": false},
                                  "H2": {"rank": 2, "priority": false}},
                      "worker": {"B": {"rank": 1, "priority": true}}},
        "jobs": [h1, o2, job("o3", "Y", 4, 0, 0), p1, job("o4", "Y", 6, 0, 24), job("h2", "H2", 3, 0, 0), o1],
        "workers": [worker("A", "A100", 80, "eu", 1, 10), worker("B", "A100", 80, "us", 1, 5),
                    worker("C", "RTX 4090", 24, "eu", 2, 20), worker("D", "T4", 16, "eu", 1, 1),
                    worker("E", "RTX 3060", 12, "asia", 0, 0)],
    })
}

#[test]
fn a_worked_round_follows_every_rule_of_section_ten() {
    let out = run(&["dispatch", "--input", "-", "--json"], &worked_instance().to_string());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    // p1 (lane 1) first: the best class, the preferred region (A) before the priority worker (B).
    // o1 waited 12 ≥ 10 rounds: aged, served right after lane 1; no pass, so the lowest class that fits (D, "t4").
    // h2 (rank 2) before h1 (rank 4): the best class left (B); then h1 the best class with a slot (C).
    // Lane 3 by arrival: o2 no worker can run (48 GB in asia); o3 the lowest class with a slot (C; E has none);
    // o4 (24 GB) finds every such worker full, and no chain of moves reaches a free slot (there is none).
    let want = json!({
        "assignments": [
            {"job": "p1", "worker": "A", "lane": 1, "aged": false, "class": 3, "moved": 0},
            {"job": "o1", "worker": "D", "lane": 3, "aged": true, "class": 1, "moved": 0},
            {"job": "h2", "worker": "B", "lane": 2, "aged": false, "class": 3, "moved": 0},
            {"job": "h1", "worker": "C", "lane": 2, "aged": false, "class": 2, "moved": 0},
            {"job": "o3", "worker": "C", "lane": 3, "aged": false, "class": 2, "moved": 0}
        ],
        "waiting": [
            {"job": "o2", "lane": 3, "aged": false, "reason": "no_worker_can_run"},
            {"job": "o4", "lane": 3, "aged": false, "reason": "all_feasible_workers_full"}
        ]
    });
    assert_eq!(got, want);
    // max_wait_rounds raised: o1 is not aged any more and is served after lane 2 by arrival.
    let mut later = worked_instance();
    later["max_wait_rounds"] = json!(20);
    let out = run(&["dispatch", "--input", "-", "--json"], &later.to_string());
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let order: Vec<&str> = got["assignments"].as_array().unwrap().iter().map(|a| a["job"].as_str().unwrap()).collect();
    assert_eq!(order, ["p1", "h2", "h1", "o1", "o3"]);
    assert_eq!(got["assignments"][3]["aged"], json!(false));
}

#[test]
fn a_job_whose_workers_are_all_full_is_served_by_moving_a_placed_job() {
    // The holder's job h takes the best class (BIG); o can only run on BIG.
    // §10's chain: o takes BIG, h moves to MID, which it can run on too.
    let request = json!({
        "standings": {"creator": {"H": {"rank": 3, "priority": false}}, "worker": {}},
        "jobs": [job("h", "H", 1, 0, 0), job("o", "X", 2, 0, 48)],
        "workers": [worker("BIG", "A100", 80, "eu", 1, 0), worker("MID", "RTX 4090", 24, "eu", 1, 0)],
    });
    let out = run(&["dispatch", "--input", "-", "--json"], &request.to_string());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = json!({
        "assignments": [
            {"job": "h", "worker": "MID", "lane": 2, "aged": false, "class": 2, "moved": 0},
            {"job": "o", "worker": "BIG", "lane": 3, "aged": false, "class": 3, "moved": 1}
        ],
        "waiting": []
    });
    assert_eq!(got, want);
    let out = run(&["dispatch", "--input", "-"], &request.to_string());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(moved 1 placed job)"), "{text}");
    assert!(text.contains("served by moving placed jobs to other workers (SPEC §10): 1"), "{text}");
}

#[test]
fn without_json_a_person_reads_the_lanes_and_why_jobs_wait() {
    let path = std::env::temp_dir().join(format!("dispatch-{}.json", std::process::id()));
    std::fs::write(&path, worked_instance().to_string()).unwrap();
    let out = run(&["dispatch", "--input", path.to_str().unwrap()], "");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("lane 1: priority creators: 1 assigned"), "{text}");
    assert!(text.contains("lane 3: everyone else: 2 assigned"), "{text}");
    assert!(text.contains("(aged: served right after lane 1)"), "{text}");
    assert!(text.contains("o2") && text.contains("no worker in the pool can run it"), "{text}");
    assert!(text.contains("every worker that can run it is full this round"), "{text}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn bad_input_is_refused_naming_the_item_and_prints_nothing() {
    let mut dup = worked_instance();
    dup["jobs"].as_array_mut().unwrap().push(job("o3", "Z", 9, 0, 0));
    let mut unknown = worked_instance();
    unknown["workers"][2]["colour"] = json!("red");
    let mut unsorted = worked_instance();
    unsorted["gpu_classes"][1]["min_vram_gb"] = json!(32);
    let mut negative = worked_instance();
    negative["jobs"][4]["min_vram_gb"] = json!(-3);
    let mut twice = worked_instance();
    twice["workers"].as_array_mut().unwrap().push(worker("A", "T4", 16, "eu", 1, 0));
    for (request, says) in [
        (dup.to_string(), r#"duplicate job id "o3""#),
        (unknown.to_string(), r#"workers[2] (wallet "C").colour: unknown field `colour`"#),
        (unsorted.to_string(), "gpu_classes: not ascending: class 2"),
        (negative.to_string(), r#"jobs[4] (id "o4").min_vram_gb: invalid value: integer `-3`"#),
        (twice.to_string(), r#"duplicate worker wallet "A""#),
        ("{\"jobs\": [], \"workers\": []".to_string(), "not a dispatch request"),
        (r#"{"jobs": [["o9","Z",1,0,null,0,null,null]], "workers": []}"#.to_string(), "jobs[0]: must be a JSON object"),
    ] {
        let out = run(&["dispatch", "--input", "-", "--json"], &request);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && out.stdout.is_empty(), "{says}: {stderr}");
        assert!(stderr.contains(says), "expected {says:?} in {stderr}");
    }
}

#[test]
fn standings_left_out_are_read_from_the_cluster_at_url() {
    let mut request = worked_instance();
    request.as_object_mut().unwrap().remove("standings");
    let out = run(&["--url", "http://127.0.0.1:9", "dispatch", "--input", "-", "--json"], &request.to_string());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("127.0.0.1:9"), "{stderr}");
}
