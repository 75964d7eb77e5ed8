//! The committed IDL (`app/idl/pictor_vip.json`, what the TypeScript client
//! is generated from) is the one the program builds to: Anchor's own IDL
//! build (`cargo test __anchor_private_print_idl --features idl-build`, what
//! `anchor build` runs) assembled by `anchor-lang-idl`, the library the Anchor
//! CLI uses. Any change to an instruction, account, event, error or type
//! that is not committed fails here.
//!
//! Regenerate: `PICTOR_IDL_WRITE=1 cargo test -p pictor-vip-tests --test idl`.
use anchor_lang_idl::build::IdlBuilder;
use regex::Regex;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// The IDL build sets its own RUSTFLAGS: it gets a target directory of its
/// own, kept between runs, so neither build invalidates the other.
fn idl_target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("idl-build")
}

/// The member accounts the program prints beside the IDL build's output
/// (`state::member::idl_member_accounts`): `{"accounts": [...], "types": [...]}`.
fn member_accounts() -> Value {
    const BEGIN: &str = "--- PICTOR begin member accounts ---";
    const END: &str = "--- PICTOR end member accounts ---";
    // The same command and flags as the IDL build: the build is reused.
    let out = Command::new("cargo")
        .args(["test", "__anchor_private_print_idl_member_accounts", "--features", "idl-build", "--locked"])
        .arg("--target-dir")
        .arg(idl_target_dir())
        .args(["--", "--show-output", "--quiet"])
        .env("RUSTFLAGS", "-A warnings")
        .current_dir(workspace_root().join("programs/pictor-vip"))
        .stderr(Stdio::inherit())
        .output()
        .expect("running cargo");
    assert!(out.status.success(), "printing the member accounts failed");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let start = stdout.find(BEGIN).expect("the member accounts' section") + BEGIN.len();
    let end = stdout[start..].find(END).expect("the section's end") + start;
    serde_json::from_str(&stdout[start..end]).expect("the section is JSON")
}

/// `pictor_vip::state::member::MemberHeader` → `MemberHeader`, as the IDL
/// build names every type (the names do not collide: checked).
fn short_type_names(json: String) -> String {
    let paths = Regex::new(r#""(\w+::)+(\w+)""#).expect("regex");
    paths.replace_all(&json, r#""$2""#).into_owned()
}

/// The IDL as `anchor build` writes it (pretty JSON, a final newline), with
/// the member accounts added.
fn built_idl() -> String {
    // anchor-lang-idl 0.1.4 turns RUSTUP_TOOLCHAIN into a literal
    // `cargo +{toolchain}`; the toolchain running this test is the one wanted.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = IdlBuilder::new()
        .program_path(workspace_root().join("programs/pictor-vip"))
        .cargo_args(vec!["--locked".into(), "--target-dir".into(), idl_target_dir().display().to_string()])
        .build()
        .expect("the program's IDL builds (run with ANCHOR_LOG=1 for the build's output)");
    let mut idl = serde_json::to_value(&idl).expect("an IDL serialises");
    let members = member_accounts();
    for key in ["accounts", "types"] {
        let list = idl[key].as_array_mut().expect(key);
        let known: Vec<String> = list.iter().filter_map(|x| x["name"].as_str().map(str::to_string)).collect();
        for item in members[key].as_array().expect(key) {
            let full = item["name"].as_str().expect("name");
            let short = full.rsplit("::").next().unwrap_or(full);
            if !known.iter().any(|k| k == short) {
                list.push(item.clone());
            }
        }
    }
    let json = short_type_names(serde_json::to_string(&idl).expect("JSON"));
    let mut idl: Value = serde_json::from_str(&json).expect("JSON");
    for key in ["accounts", "types"] {
        let list = idl[key].as_array_mut().expect(key);
        list.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        let mut names: Vec<_> = list.iter().map(|x| x["name"].as_str().unwrap_or_default().to_string()).collect();
        names.dedup();
        assert_eq!(names.len(), list.len(), "two {key} share a short name");
    }
    serde_json::to_string_pretty(&idl).expect("JSON") + "\n"
}

#[test]
fn the_committed_idl_is_the_programs() {
    let built = built_idl();
    let path = workspace_root().join("app/idl/pictor_vip.json");
    if std::env::var_os("PICTOR_IDL_WRITE").is_some() {
        std::fs::write(&path, &built).expect("writing the IDL");
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != built {
        let first = committed.lines().zip(built.lines()).position(|(a, b)| a != b);
        panic!(
            "{} is not the program's IDL (first difference at line {}): regenerate it with \
             `PICTOR_IDL_WRITE=1 cargo test -p pictor-vip-tests --test idl`, then the TypeScript client \
             with `npm run generate` in app/ts-client",
            path.display(),
            first.map_or_else(|| "the end".to_string(), |l| (l + 1).to_string())
        );
    }
    // The IDL names what the clients rely on.
    let idl: serde_json::Value = serde_json::from_str(&built).expect("JSON");
    assert_eq!(idl["address"], pictor_vip::ID.to_string());
    let names = |key: &str| -> Vec<String> {
        idl[key].as_array().expect(key).iter().map(|x| x["name"].as_str().expect("name").to_string()).collect()
    };
    for ix in ["claim", "submit_report", "initialize", "rank_batch"] {
        assert!(names("instructions").contains(&ix.to_string()), "instruction {ix} in the IDL");
    }
    for account in ["Config", "Board", "CreatorMember", "WorkerMember"] {
        assert!(names("accounts").contains(&account.to_string()), "account {account} in the IDL");
    }
    assert!(names("events").contains(&"PassClaimed".to_string()), "event PassClaimed in the IDL");
}
