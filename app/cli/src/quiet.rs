//! The in-process runtime runs the program natively, where the program's
//! `msg!` logs are plain `println!`s (`solana-msg` on a non-SBF target).
//! So that they never reach standard output (and `--json` stays clean),
//! `simulate` and `demo` run in a child process of this same binary whose
//! standard output is discarded (`Stdio::null()`); the child writes the
//! command's output to a file the parent then prints. No file descriptor is
//! redirected by hand.
use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};

/// Set in the child: where it writes the command's output.
pub const OUTPUT_FILE_ENV: &str = "PICTOR_VIP_OUTPUT_FILE";

/// Runs `command` so that only what it writes reaches standard output:
/// in the child it writes to the output file; in the parent it starts the
/// child (same arguments), waits, and prints the file. Exits with the
/// child's code when the child fails (its error is on standard error).
pub fn run_quietly(command: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    if let Some(path) = std::env::var_os(OUTPUT_FILE_ENV) {
        let mut out = BufWriter::new(File::create(&path).context("creating the output file")?);
        command(&mut out)?;
        out.flush()?;
        return Ok(());
    }
    let path = std::env::temp_dir().join(format!("pictor-vip-{}.out", std::process::id()));
    let status = Command::new(std::env::current_exe().context("finding this program")?)
        .args(std::env::args_os().skip(1))
        .env(OUTPUT_FILE_ENV, &path)
        .stdin(Stdio::inherit())
        .stdout(Stdio::null())
        .status()
        .context("starting the in-process runtime")?;
    let output = std::fs::read(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&output)?;
    stdout.flush()?;
    if !status.success() {
        std::process::exit(status.code().unwrap_or(1));
    }
    Ok(())
}
