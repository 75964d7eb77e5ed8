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
    for flag in ["--with-compute-unit-price", "--dry-run", "--json", "--keypair", "--url"] {
        assert!(help.contains(flag), "{flag}");
    }
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
