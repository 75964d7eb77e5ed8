//! Following the oracle's JSON Lines file as it grows, as `tail -F` does:
//! complete lines only (a partial last line waits for the rest), surviving
//! rotation (the old file is read to its end, then the new file from its
//! start) and truncation (read again from the start), or standard input.
use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, TryRecvError};

/// A complete line and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailLine {
    /// The file (`feed.jsonl`, `feed.jsonl (rotation 1)`, `stdin`).
    pub source: String,
    /// Its line number in that file, from 1.
    pub number: usize,
    /// The line, without its end of line.
    pub text: String,
    /// The file it was read from (device and inode, which a rotation keeps
    /// and a new file changes; `None`: standard input).
    pub origin: Option<(u64, u64)>,
    /// The byte offset just after the line in that file.
    pub end: u64,
}

impl TailLine {
    /// A line of no file (standard input, tests).
    pub fn new(source: impl Into<String>, number: usize, text: impl Into<String>) -> Self {
        TailLine { source: source.into(), number, text: text.into(), origin: None, end: 0 }
    }
}

/// How far a follower has read its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Bytes read as complete lines.
    pub read_bytes: u64,
    /// The file's size now (what is beyond `read_bytes` is still to read,
    /// or a line not ended yet).
    pub size_bytes: u64,
}

/// A source of lines the keeper polls.
pub trait LineSource {
    /// The complete lines written since the last poll (none is not an error).
    fn poll(&mut self) -> io::Result<Vec<TailLine>>;

    /// How far it has read (`None`: not a file).
    fn position(&self) -> Option<Position> {
        None
    }
}

/// Follows a file by name.
pub struct Tail {
    path: PathBuf,
    file: Option<File>,
    identity: Option<(u64, u64)>,
    position: u64,
    partial: Vec<u8>,
    number: usize,
    generation: usize,
}

/// Device and inode of a file (what a rotation changes).
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        (0, meta.len())
    }
}

impl Tail {
    /// Follows `path` (it may not exist yet).
    pub fn new(path: &Path) -> Self {
        Tail {
            path: path.to_path_buf(),
            file: None,
            identity: None,
            position: 0,
            partial: Vec::new(),
            number: 0,
            generation: 0,
        }
    }

    fn label(&self) -> String {
        match self.generation {
            0 => self.path.display().to_string(),
            n => format!("{} (rotation {n})", self.path.display()),
        }
    }

    /// Splits what was read into complete lines; keeps the rest.
    fn take_lines(&mut self, out: &mut Vec<TailLine>, flush: bool) {
        // The file offset of the first byte not taken yet.
        let base = self.position - self.partial.len() as u64;
        let mut start = 0;
        while let Some(end) = self.partial[start..].iter().position(|b| *b == b'\n') {
            let line = &self.partial[start..start + end];
            self.number += 1;
            let at = base + (start + end + 1) as u64;
            out.push(TailLine {
                origin: self.identity,
                end: at,
                ..TailLine::new(self.label(), self.number, text(line))
            });
            start += end + 1;
        }
        self.partial.drain(..start);
        if flush && !self.partial.is_empty() {
            // The writer moved the file away without ending its last line: it is complete.
            self.number += 1;
            let line = TailLine::new(self.label(), self.number, text(&self.partial));
            out.push(TailLine { origin: self.identity, end: self.position, ..line });
            self.partial.clear();
        }
    }

    fn reset(&mut self) {
        self.file = None;
        self.identity = None;
        self.position = 0;
        self.partial.clear();
        self.number = 0;
        self.generation += 1;
    }
}

fn text(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    s.strip_suffix('\r').unwrap_or(&s).to_string()
}

impl LineSource for Tail {
    fn position(&self) -> Option<Position> {
        let read_bytes = self.position - self.partial.len() as u64;
        let size_bytes = match std::fs::metadata(&self.path) {
            Ok(m) if Some(identity(&m)) == self.identity => m.len(),
            _ => self.position,
        };
        Some(Position { read_bytes, size_bytes: size_bytes.max(read_bytes) })
    }

    fn poll(&mut self) -> io::Result<Vec<TailLine>> {
        let mut out = Vec::new();
        // At most a rotation and a truncation per poll.
        for _ in 0..3 {
            if self.file.is_none() {
                match File::open(&self.path) {
                    Ok(f) => {
                        self.identity = Some(identity(&f.metadata()?));
                        self.file = Some(f);
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
                    Err(e) => return Err(e),
                }
            }
            let file = self.file.as_mut().expect("opened above");
            let mut buf = Vec::new();
            let read = file.read_to_end(&mut buf)?;
            self.position += read as u64;
            self.partial.extend_from_slice(&buf);
            let now = match std::fs::metadata(&self.path) {
                Ok(m) => Some(m),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            match now {
                // Moved away and not replaced yet: the writer may still append to it.
                None => {
                    self.take_lines(&mut out, false);
                    return Ok(out);
                }
                Some(m) if Some(identity(&m)) != self.identity => {
                    // Rotated: the old file is read to its end; the new one from its start.
                    self.take_lines(&mut out, true);
                    self.reset();
                }
                Some(m) if m.len() < self.position => {
                    // Truncated in place (copytruncate): from the start again.
                    self.take_lines(&mut out, false);
                    let generation = self.generation;
                    self.partial.clear();
                    self.position = 0;
                    self.number = 0;
                    self.generation = generation + 1;
                    self.file.as_mut().expect("open").seek(SeekFrom::Start(0))?;
                }
                Some(_) => {
                    self.take_lines(&mut out, false);
                    return Ok(out);
                }
            }
        }
        Ok(out)
    }
}

/// Reads a whole file once (the rotated predecessor read at start-up).
pub fn read_all(path: &Path, label: &str) -> io::Result<Vec<TailLine>> {
    let f = File::open(path)?;
    let origin = Some(identity(&f.metadata()?));
    let mut out = Vec::new();
    let mut end = 0u64;
    for (i, line) in io::BufReader::new(f).split(b'\n').enumerate() {
        let line = line?;
        end += line.len() as u64 + 1;
        out.push(TailLine { origin, end, ..TailLine::new(label, i + 1, text(&line)) });
    }
    Ok(out)
}

/// Standard input, line by line, read on a thread of its own.
pub struct Stdin {
    lines: Receiver<String>,
    number: usize,
    ended: bool,
}

impl Stdin {
    /// Starts reading standard input.
    pub fn start() -> Self {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Stdin { lines: rx, number: 0, ended: false }
    }
}

impl LineSource for Stdin {
    fn poll(&mut self) -> io::Result<Vec<TailLine>> {
        let mut out = Vec::new();
        while !self.ended {
            match self.lines.try_recv() {
                Ok(text) => {
                    self.number += 1;
                    let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
                    out.push(TailLine::new("stdin", self.number, text));
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    tracing::warn!("standard input ended: no more facts will come (rounds go on until stopped)");
                    self.ended = true;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("pictor-tail-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn append(path: &Path, s: &str) {
        std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(s.as_bytes()).unwrap();
    }

    fn texts(lines: &[TailLine]) -> Vec<(String, usize, String)> {
        lines.iter().map(|l| (l.source.clone(), l.number, l.text.clone())).collect()
    }

    #[test]
    fn a_partial_last_line_waits_for_the_rest() {
        let d = dir("partial");
        let path = d.join("feed.jsonl");
        let mut tail = Tail::new(&path);
        assert!(tail.poll().unwrap().is_empty(), "no file yet is no error");
        append(&path, "one\ntw");
        let p = path.display().to_string();
        assert_eq!(texts(&tail.poll().unwrap()), [(p.clone(), 1, "one".into())]);
        assert!(tail.poll().unwrap().is_empty(), "half a line is not a line");
        append(&path, "o\r\nthree\n");
        assert_eq!(texts(&tail.poll().unwrap()), [(p.clone(), 2, "two".into()), (p, 3, "three".into())]);
    }

    #[test]
    fn a_rotation_is_read_to_the_end_then_the_new_file_from_its_start() {
        let d = dir("rotate");
        let path = d.join("feed.jsonl");
        let mut tail = Tail::new(&path);
        append(&path, "a\n");
        assert_eq!(tail.poll().unwrap().len(), 1);
        // The writer appends, moves the file away (without ending its last line), and starts a new one.
        append(&path, "b\nc");
        std::fs::rename(&path, d.join("feed.jsonl.1")).unwrap();
        assert_eq!(texts(&tail.poll().unwrap()).iter().map(|l| l.2.as_str()).collect::<Vec<_>>(), ["b"]);
        append(&path, "d\n");
        let lines = tail.poll().unwrap();
        let p = path.display().to_string();
        assert_eq!(
            texts(&lines),
            [(p.clone(), 3, "c".into()), (format!("{p} (rotation 1)"), 1, "d".into())],
            "the old file's last line, then the new file's first"
        );
    }

    #[test]
    fn a_truncation_is_read_again_from_the_start() {
        let d = dir("truncate");
        let path = d.join("feed.jsonl");
        let mut tail = Tail::new(&path);
        append(&path, "first\nsecond\n");
        assert_eq!(tail.poll().unwrap().len(), 2);
        std::fs::write(&path, "x\n").unwrap();
        let lines = tail.poll().unwrap();
        assert_eq!(texts(&lines), [(format!("{} (rotation 1)", path.display()), 1, "x".into())]);
    }

    #[test]
    fn each_line_carries_its_file_and_end_offset_and_the_position_is_known() {
        let d = dir("offsets");
        let path = d.join("feed.jsonl");
        let mut tail = Tail::new(&path);
        append(&path, "one\ntwo\r\nthr");
        let lines = tail.poll().unwrap();
        let ends: Vec<u64> = lines.iter().map(|l| l.end).collect();
        assert_eq!(ends, [4, 9]);
        let origin = lines[0].origin.expect("a file's line names its file");
        assert_eq!(tail.position(), Some(Position { read_bytes: 9, size_bytes: 12 }), "3 bytes of a line not ended");
        append(&path, "ee\n");
        assert_eq!(tail.poll().unwrap()[0].end, 15);
        // Rotated: the old file keeps its identity under its new name.
        std::fs::rename(&path, d.join("feed.jsonl.1")).unwrap();
        let again = read_all(&d.join("feed.jsonl.1"), "feed.jsonl.1").unwrap();
        assert_eq!(
            again.iter().map(|l| (l.origin, l.end)).collect::<Vec<_>>(),
            [(Some(origin), 4), (Some(origin), 9), (Some(origin), 15)]
        );
    }

    #[test]
    fn the_rotated_predecessor_reads_whole() {
        let d = dir("whole");
        let path = d.join("feed.jsonl.1");
        append(&path, "a\nb");
        let lines = read_all(&path, "feed.jsonl.1").unwrap();
        assert_eq!(lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }
}
