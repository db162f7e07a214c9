//! The inspection runner (spec §4.3.4; python `verifylib.run_all_inspections`
//! with `runlib.in_toto_run`). Only used when the user asks for it
//! (`--run-inspections`): the argv from the layout runs without a shell, in a
//! scratch copy of the work directory, with a time limit; the files of that
//! directory are recorded before (materials) and after (products).
//!
//! The command gets an empty environment except `PATH`, runs in its own
//! process group (killed as a whole at the time limit), and at most
//! [`MAX_OUTPUT`] bytes of each of its output streams are kept (the rest is
//! read and dropped). It is not otherwise sandboxed: see README "Security".
//!
//! [`record_artifacts`] is also how inspections that are not run get their
//! materials (the work directory, hashed in place: [`super::not_run`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::fnmatch::Pattern;
use super::model::{Artifacts, HashDict};
use crate::crypto::{HashAlg, digest_file};

/// python in-toto's default exclude patterns (`settings.ARTIFACT_EXCLUDE_PATTERNS`),
/// applied per path component like gitignore patterns without a slash.
pub const EXCLUDE_PATTERNS: [&str; 4] = ["*.link*", ".git", "*.pyc", "*~"];

/// Most files recorded per directory walk.
const MAX_FILES: usize = 1_000_000;
/// Most bytes of each output stream kept.
pub const MAX_OUTPUT: usize = 64 * 1024;

/// How an inspection command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Exited with this code (negative: killed by that signal, like python's subprocess).
    Exited(i32),
    /// `run` is empty: python records no return value ("non-int return value 'None'").
    EmptyCommand,
    /// The program could not be started (python: `OSError`).
    SpawnFailed(String),
    /// Killed after the time limit (python: `TimeoutExpired`).
    TimedOut,
    /// The work directory could not be recorded.
    RecordFailed(String),
}

impl RunOutcome {
    /// How the run ended, in words (for reports and views).
    pub fn describe(&self) -> String {
        match self {
            RunOutcome::Exited(0) => "exited with 0".to_owned(),
            RunOutcome::Exited(code) if *code < 0 => format!("killed by signal {}", -code),
            RunOutcome::Exited(code) => format!("exited with {code}"),
            RunOutcome::EmptyCommand => "empty command: nothing to run".to_owned(),
            RunOutcome::SpawnFailed(why) => format!("could not start: {why}"),
            RunOutcome::TimedOut => "killed at the time limit".to_owned(),
            RunOutcome::RecordFailed(why) => format!("the work directory could not be recorded: {why}"),
        }
    }
}

/// One inspection as run.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionRun {
    pub argv: Vec<String>,
    pub dir: PathBuf,
    pub outcome: RunOutcome,
    pub materials: Artifacts,
    pub products: Artifacts,
    pub stdout: String,
    pub stderr: String,
}

/// A scratch directory removed on drop.
#[derive(Debug)]
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    /// Creates a fresh directory under the system temp dir and copies `from` into it.
    pub fn copy_of(from: &Path) -> std::io::Result<Self> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let mut n = 0u32;
        let path = loop {
            let candidate = base.join(format!("trailscope-inspect-{}-{nanos}-{n}", std::process::id()));
            match std::fs::create_dir(&candidate) {
                Ok(()) => break candidate,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e),
            }
        };
        let scratch = Scratch { path };
        copy_tree(from, &scratch.path)?;
        Ok(scratch)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Copies a directory tree; symbolic links are copied as links, never followed.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let dest = to.join(entry.file_name());
        if ty.is_dir() {
            std::fs::create_dir(&dest)?;
            copy_tree(&entry.path(), &dest)?;
        } else if ty.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &dest)?;
        } else if ty.is_file() {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

fn excluded(component: &str, patterns: &[Pattern]) -> bool {
    patterns.iter().any(|p| p.matches(component))
}

/// Records every file below `dir` (relative `/`-separated paths → sha256),
/// like `runlib.in_toto_run` records `["."]` (`record_artifacts_as_dict`
/// with the default excludes and `follow_symlink_dirs=True`): symlinked
/// files and directories are followed, broken links skipped. A directory
/// that is one of its own ancestors (a symlink loop, which python follows
/// until the OS refuses) is not entered again.
pub fn record_artifacts(dir: &Path) -> std::io::Result<Artifacts> {
    let patterns: Vec<Pattern> = EXCLUDE_PATTERNS.iter().map(|p| Pattern::new(p)).collect();
    let mut out = Artifacts::new();
    let mut entered = 0usize;
    let root = std::fs::canonicalize(dir)?;
    let mut stack = vec![(dir.to_path_buf(), String::new(), vec![root])];
    while let Some((path, rel, ancestors)) = stack.pop() {
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if excluded(&name, &patterns) {
                continue;
            }
            let child_rel = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let child = entry.path();
            // Follows symbolic links, like python's isdir/isfile.
            let Ok(meta) = std::fs::metadata(&child) else { continue };
            if meta.is_dir() {
                let real = std::fs::canonicalize(&child)?;
                if ancestors.contains(&real) {
                    continue;
                }
                entered += 1;
                if entered > MAX_FILES {
                    return Err(std::io::Error::other(format!("more than {MAX_FILES} directories")));
                }
                let mut below = ancestors.clone();
                below.push(real);
                stack.push((child, child_rel, below));
            } else if meta.is_file() {
                if out.len() >= MAX_FILES {
                    return Err(std::io::Error::other(format!("more than {MAX_FILES} files")));
                }
                let digest = digest_file(HashAlg::Sha256, &child)?;
                out.insert(child_rel, HashDict::from([("sha256".to_owned(), hex::encode(digest))]));
            }
        }
    }
    Ok(out)
}

fn read_capped(mut r: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = MAX_OUTPUT.saturating_sub(kept.len());
            kept.extend_from_slice(buf.get(..n.min(room)).unwrap_or(&[]));
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

/// Runs one inspection in `dir`: record, execute `argv` (no shell), record.
pub fn run_inspection(argv: &[String], dir: &Path, timeout: Duration) -> InspectionRun {
    let mut run = InspectionRun {
        argv: argv.to_vec(),
        dir: dir.to_path_buf(),
        outcome: RunOutcome::EmptyCommand,
        materials: Artifacts::new(),
        products: Artifacts::new(),
        stdout: String::new(),
        stderr: String::new(),
    };
    match record_artifacts(dir) {
        Ok(m) => run.materials = m,
        Err(e) => {
            run.outcome = RunOutcome::RecordFailed(e.to_string());
            return run;
        }
    }
    if let Some((program, args)) = argv.split_first() {
        run.outcome = execute(program, args, dir, timeout, &mut run);
    }
    match record_artifacts(dir) {
        Ok(p) => run.products = p,
        Err(e) => run.outcome = RunOutcome::RecordFailed(e.to_string()),
    }
    run
}

fn execute(
    program: &str,
    args: &[String],
    dir: &Path,
    timeout: Duration,
    run: &mut InspectionRun,
) -> RunOutcome {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        // Nothing of ours leaks into a layout's command: no tokens, no proxies.
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    // Its own process group, so the time limit ends its children too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command.spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return RunOutcome::SpawnFailed(e.to_string()),
    };
    let out = child.stdout.take().map(read_capped);
    let err = child.stderr.take().map(read_capped);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            // A zero limit leaves no time at all; without this the outcome would
            // depend on whether the child ended before the first poll.
            Ok(Some(_)) if timeout.is_zero() => break None,
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                #[cfg(unix)]
                {
                    let group = rustix::process::Pid::from_child(&child);
                    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
                }
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return RunOutcome::SpawnFailed(e.to_string()),
        }
    };
    // After a timeout a grandchild may still hold the pipes: do not wait for the readers.
    if status.is_some() {
        if let Some(h) = out {
            run.stdout = h.join().unwrap_or_default();
        }
        if let Some(h) = err {
            run.stderr = h.join().unwrap_or_default();
        }
    }
    match status {
        None => RunOutcome::TimedOut,
        Some(s) => RunOutcome::Exited(exit_code(s)),
    }
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    if let Some(c) = status.code() {
        return c;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(sig) = status.signal() {
            return -sig;
        }
    }
    -1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_with_default_excludes() {
        let dir = Scratch::copy_of(Path::new("src/intoto")).unwrap();
        std::fs::write(dir.path.join("x.link"), "l").unwrap();
        std::fs::write(dir.path.join("x~"), "b").unwrap();
        std::fs::create_dir(dir.path.join(".git")).unwrap();
        std::fs::write(dir.path.join(".git/config"), "c").unwrap();
        let arts = record_artifacts(&dir.path).unwrap();
        assert!(arts.contains_key("inspect.rs"));
        assert!(!arts.keys().any(|k| k.contains(".link") || k.ends_with('~') || k.starts_with(".git")));
    }

    /// python's `in_toto_run` records with `follow_symlink_dirs=True`:
    /// a symlinked directory's files are recorded under the link's path; a
    /// loop is entered once; a dangling link is skipped.
    #[cfg(unix)]
    #[test]
    fn records_through_symlinked_directories_without_looping() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("f"), "x").unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("alias")).unwrap();
        std::os::unix::fs::symlink(dir.path(), real.join("up")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("dangling")).unwrap();
        let arts = record_artifacts(dir.path()).unwrap();
        let keys: Vec<&str> = arts.keys().map(String::as_str).collect();
        assert_eq!(keys, ["alias/f", "real/f"]);
        assert_eq!(arts["alias/f"], arts["real/f"]);
    }

    #[cfg(unix)]
    #[test]
    fn runs_argv_and_reports_exit_and_timeout() {
        let dir = Scratch::copy_of(Path::new("src/intoto")).unwrap();
        let argv = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let r = run_inspection(
            &argv(&["sh", "-c", "echo hi > made.txt; exit 3"]),
            &dir.path,
            Duration::from_secs(10),
        );
        assert_eq!(r.outcome, RunOutcome::Exited(3));
        assert!(r.products.contains_key("made.txt") && !r.materials.contains_key("made.txt"));
        let r = run_inspection(&argv(&["sleep", "5"]), &dir.path, Duration::from_millis(100));
        assert_eq!(r.outcome, RunOutcome::TimedOut);
        let r = run_inspection(&argv(&["/nonexistent/prog"]), &dir.path, Duration::from_secs(1));
        assert!(matches!(r.outcome, RunOutcome::SpawnFailed(_)));
        assert_eq!(run_inspection(&[], &dir.path, Duration::from_secs(1)).outcome, RunOutcome::EmptyCommand);
    }

    #[cfg(unix)]
    #[test]
    fn a_zero_time_limit_times_out_even_a_command_that_ends_at_once() {
        let dir = Scratch::copy_of(Path::new("src/intoto")).unwrap();
        // Before, a child that ended before the first poll (a loaded machine) counted as exited.
        let argv = vec!["sh".to_owned(), "-c".to_owned(), "exit 0".to_owned()];
        for _ in 0..5 {
            assert_eq!(run_inspection(&argv, &dir.path, Duration::ZERO).outcome, RunOutcome::TimedOut);
        }
    }

    #[test]
    fn run_outcomes_are_described_in_words() {
        assert_eq!(RunOutcome::Exited(0).describe(), "exited with 0");
        assert_eq!(RunOutcome::Exited(2).describe(), "exited with 2");
        assert_eq!(RunOutcome::Exited(-9).describe(), "killed by signal 9");
        assert_eq!(RunOutcome::TimedOut.describe(), "killed at the time limit");
    }
}
