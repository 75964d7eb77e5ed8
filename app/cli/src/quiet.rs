//! The in-process runtime runs the program natively, where the program's
//! `msg!` logs are plain `println!`s. Commands that use it send file
//! descriptor 1 to /dev/null and write their own output to a saved copy of
//! the real stdout, so `--json` output stays clean.
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::FromRawFd;

/// Writes to the process's original stdout; fd 1 goes to /dev/null while it lives.
pub struct RealStdout {
    file: File,
    saved_fd: i32,
}

impl RealStdout {
    /// Redirects fd 1 to /dev/null and returns a writer to the original stdout.
    pub fn capture() -> io::Result<Self> {
        io::stdout().flush()?;
        // SAFETY: plain POSIX descriptor calls on descriptors this process owns.
        unsafe {
            let saved_fd = libc::dup(1);
            let writer_fd = libc::dup(1);
            if saved_fd < 0 || writer_fd < 0 {
                return Err(io::Error::last_os_error());
            }
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if null < 0 || libc::dup2(null, 1) < 0 {
                return Err(io::Error::last_os_error());
            }
            libc::close(null);
            Ok(RealStdout { file: File::from_raw_fd(writer_fd), saved_fd })
        }
    }
}

impl Write for RealStdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for RealStdout {
    fn drop(&mut self) {
        let _ = io::stdout().flush();
        let _ = self.file.flush();
        // SAFETY: restores the descriptor saved in `capture`.
        unsafe {
            libc::dup2(self.saved_fd, 1);
            libc::close(self.saved_fd);
        }
    }
}
