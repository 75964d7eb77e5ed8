//! The operator's CLI, through the binary, where no cluster is needed: the
//! commands exist, reads need no keypair, a command that signs says so, a
//! deployment file with a typo is refused with the field named.
use std::path::Path;
use std::process::Command;

fn pictor_vip(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_pictor-vip")).args(args).env("HOME", home).output().expect("the binary runs");
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

fn empty_home() -> tempdir::Dir {
    tempdir::Dir::new()
}

mod tempdir {
    /// A fresh directory under the system temp dir, removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let p = std::env::temp_dir().join(format!(
                "pictor-vip-cli-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn every_operator_command_is_there() {
    let home = empty_home();
    let (code, help, _) = pictor_vip(&home.0, &["--help"]);
    assert_eq!(code, 0);
    for command in
        ["init", "config", "pause", "unpause", "revoke", "reinstate", "oracle", "crank", "admin", "feed", "rank"]
    {
        assert!(help.contains(&format!("  {command} ")), "{command} missing from:\n{help}");
    }
    assert!(help.contains("--json"));
    // Each flag on the commands that use it, and only there.
    let (_, pause, _) = pictor_vip(&home.0, &["pause", "--help"]);
    for flag in ["--with-compute-unit-price", "--dry-run", "--keypair", "--url", "--url-file"] {
        assert!(pause.contains(flag), "pause {flag}:\n{pause}");
    }
    let (_, status, _) = pictor_vip(&home.0, &["status", "--help"]);
    assert!(status.contains("--url") && !status.contains("--keypair") && !status.contains("--dry-run"), "{status}");
    for command in ["demo", "simulate"] {
        let (_, help, _) = pictor_vip(&home.0, &[command, "--help"]);
        for flag in ["--with-compute-unit-price", "--dry-run", "--keypair", "--url"] {
            assert!(!help.contains(flag), "{command} offers {flag}:\n{help}");
        }
    }
}

/// Flags given before the command go to it if it uses them; a command
/// that does not is refused naming the flag (a reader given --keypair, the
/// Solana CLI's global flag, is told it signs nothing).
#[test]
fn a_flag_a_command_does_not_use_is_refused_naming_it() {
    let home = empty_home();
    for (args, says) in [
        (vec!["--keypair", "k.json", "demo"], "`demo` does not use --keypair"),
        (vec!["--dry-run", "simulate", "--feed", "f"], "`simulate` does not use --dry-run"),
        (
            vec!["--with-compute-unit-price", "5", "dispatch", "--input", "-"],
            "`dispatch` does not use --with-compute-unit-price",
        ),
        (vec!["--url", "l", "demo"], "`demo` does not use --url"),
        (vec!["--url", "l", "pause", "--url", "d"], "--url is given twice"),
        (vec!["pause", "--url", "l", "--url-file", "/nonexistent"], "--url or --url-file, not both"),
    ] {
        let (code, _, err) = pictor_vip(&home.0, &args);
        assert_ne!(code, 0, "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let (_, _, err) = pictor_vip(
        &home.0,
        &[
            "--keypair",
            "k.json",
            "status",
            "9DnFQW8nh6GdyMM3kGJUMmSo4NnHgfVngghdED1iHXFw",
            "--url",
            "http://127.0.0.1:9",
        ],
    );
    assert!(err.contains("warning: `status` signs nothing: --keypair is not used"), "{err}");
}

/// The old forms still work, each with a warning naming the new one.
#[test]
fn old_forms_warn_and_name_the_new_one() {
    let home = empty_home();
    let wallet = "9DnFQW8nh6GdyMM3kGJUMmSo4NnHgfVngghdED1iHXFw";
    // The cluster is down: the command gets as far as connecting, after the warning.
    let (_, _, err) =
        pictor_vip(&home.0, &["revoke", wallet, "worker", "--reason", "1", "--url", "http://127.0.0.1:9"]);
    assert!(err.contains(&format!("write `revoke worker {wallet}`")), "{err}");
    let (_, _, err) = pictor_vip(&home.0, &["reinstate", wallet, "creator", "--url", "http://127.0.0.1:9"]);
    assert!(err.contains(&format!("write `reinstate creator {wallet}`")), "{err}");
    let (_, _, err) = pictor_vip(&home.0, &["feed", "/nonexistent.jsonl", "--url", "http://127.0.0.1:9"]);
    assert!(err.contains("write `feed --feed /nonexistent.jsonl`"), "{err}");
    let (code, _, err) = pictor_vip(&home.0, &["revoke", "boss", wallet, "--reason", "1"]);
    assert!(code != 0 && err.contains("ROLE must be creator or worker"), "{err}");
}

#[test]
fn reading_needs_no_keypair_and_a_down_cluster_is_said_plainly() {
    let home = empty_home();
    let wallet = "9DnFQW8nh6GdyMM3kGJUMmSo4NnHgfVngghdED1iHXFw";
    for args in [vec!["status", wallet], vec!["leaderboard", "creator"], vec!["config", "show"]] {
        let mut all = args.clone();
        all.extend(["--url", "http://127.0.0.1:9"]);
        let (code, _, err) = pictor_vip(&home.0, &all);
        assert_eq!(code, 1, "{args:?}");
        assert!(!err.contains("keypair"), "{args:?} asked for a keypair: {err}");
        assert!(err.contains("does not answer"), "{args:?}: {err}");
    }
}

#[test]
fn a_command_that_signs_says_it_needs_a_keypair() {
    let home = empty_home();
    let (code, _, err) = pictor_vip(&home.0, &["pause", "--url", "http://127.0.0.1:9"]);
    assert_eq!(code, 1);
    assert!(err.contains("pass --keypair"), "{err}");
}

#[test]
fn a_deployment_file_with_a_typo_is_refused_with_the_field_named() {
    let home = empty_home();
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/pictor-vip.example.toml")).unwrap();
    let file = home.0.join("typo.toml");
    std::fs::write(&file, example.replace("priority_bps", "priority_bsp")).unwrap();
    let (code, _, err) =
        pictor_vip(&home.0, &["init", "--config", file.to_str().unwrap(), "--url", "http://127.0.0.1:9"]);
    assert_eq!(code, 1);
    assert!(err.contains("priority_bsp"), "{err}");
}
