//! Logging to a file through `tracing`, never to the screen (the TUI owns
//! the terminal). The file is `$TRAILSCOPE_LOG_FILE`, else `trailscope.log`
//! in the platform's state (or local data) directory; the level comes from
//! `TRAILSCOPE_LOG` (an `EnvFilter` directive, default `info`).

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The default log file.
pub fn default_log_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TRAILSCOPE_LOG_FILE") {
        return Some(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "trailscope")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("trailscope.log"))
}

/// Starts file logging; keep the guard alive until exit so the log is
/// flushed. Returns `None` (and logs nowhere) when the file cannot be
/// opened or a global subscriber is already set.
pub fn init(file: Option<PathBuf>) -> Option<WorkerGuard> {
    let path = file.or_else(default_log_file)?;
    let dir = path.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir).ok()?;
    let writer = std::fs::OpenOptions::new().create(true).append(true).open(&path).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(writer);
    let filter = EnvFilter::try_from_env("TRAILSCOPE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let subscriber =
        tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).finish();
    tracing::subscriber::set_global_default(subscriber).ok()?;
    Some(guard)
}
