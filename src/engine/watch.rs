//! An optional file watcher (notify) that feeds changed plan files into the
//! engine, with a small debounce: editors write a file in several events,
//! and one re-hash after the burst is enough. The engine re-hashes, so a
//! spurious event costs one read and re-runs nothing.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use super::scheduler::EngineHandle;

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot start the file watcher: {0}")]
    Notify(#[from] notify::Error),
    #[error("cannot start the watcher thread: {0}")]
    Thread(#[from] std::io::Error),
}

enum Msg {
    Fs(notify::Result<notify::Event>),
    Stop,
}

/// Watches the directories of the current plan's files. Stop it with
/// [`Watcher::stop`] or by dropping it; start a new one after loading
/// another plan.
pub struct Watcher {
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
    _notify: RecommendedWatcher,
}

impl Watcher {
    /// Starts watching; changes are fed to `engine` `debounce` after the last
    /// event of a burst. Directories that do not exist are not watched.
    pub fn start(engine: EngineHandle, debounce: Duration) -> Result<Self, WatchError> {
        let plan = engine.plan();
        let mut by_path: HashMap<PathBuf, PathBuf> = HashMap::new();
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        for path in plan.files() {
            if let Some((dir, key)) = watch_key(path) {
                by_path.insert(key, path.to_path_buf());
                dirs.insert(dir);
            }
        }
        let (tx, rx) = channel();
        let fs_tx = tx.clone();
        let mut notify = notify::recommended_watcher(move |ev| {
            let _ = fs_tx.send(Msg::Fs(ev));
        })?;
        for dir in &dirs {
            // A directory that vanished since canonicalization is not fatal.
            let _ = notify.watch(dir, RecursiveMode::NonRecursive);
        }
        let thread = std::thread::Builder::new()
            .name("engine-watch".into())
            .spawn(move || watch_loop(&engine, &rx, &by_path, debounce))?;
        Ok(Self { tx, thread: Some(thread), _notify: notify })
    }

    /// Stops watching and waits for the watcher thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The directory to watch for `path` and the form of `path` notify reports
/// under it (canonical directory + file name).
fn watch_key(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = dir.canonicalize().ok()?;
    let key = dir.join(name);
    Some((dir, key))
}

fn watch_loop(
    engine: &EngineHandle,
    rx: &Receiver<Msg>,
    by_path: &HashMap<PathBuf, PathBuf>,
    debounce: Duration,
) {
    loop {
        let mut changed = BTreeSet::new();
        let mut rescan = false;
        match rx.recv() {
            Ok(Msg::Fs(ev)) => collect(ev, &mut changed, &mut rescan),
            Ok(Msg::Stop) | Err(_) => return,
        }
        // Debounce: wait for a quiet `debounce`, but not forever under a
        // steady stream of events.
        let give_up = Instant::now() + debounce * 10;
        loop {
            match rx.recv_timeout(debounce) {
                Ok(Msg::Fs(ev)) => collect(ev, &mut changed, &mut rescan),
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => break,
            }
            if Instant::now() >= give_up {
                break;
            }
        }
        if rescan {
            engine.rescan();
            continue;
        }
        for path in changed.iter().filter_map(|p| by_path.get(p)) {
            engine.file_changed(path);
        }
    }
}

fn collect(ev: notify::Result<notify::Event>, changed: &mut BTreeSet<PathBuf>, rescan: &mut bool) {
    let ev = match ev {
        Ok(ev) => ev,
        Err(_) => {
            // Lost events (queue overflow, …): re-hash everything.
            *rescan = true;
            return;
        }
    };
    if ev.need_rescan() {
        *rescan = true;
    }
    // Our own reads show up as opens and reads; only writes matter.
    if let EventKind::Access(kind) = ev.kind
        && kind != AccessKind::Close(AccessMode::Write)
    {
        return;
    }
    changed.extend(ev.paths);
}
