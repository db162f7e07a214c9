//! Terminal hygiene: refuse what cannot work (no TTY, `TERM=dumb`) with a
//! clear message, enter and leave raw mode and the alternate screen, restore
//! the terminal on exit and on a panic of the UI thread, and run the event
//! loop (poll input, apply results, draw only when something changed).

use std::io::{self, IsTerminal, Stdout, Write};
use std::sync::Once;
use std::sync::OnceLock;
use std::thread::{self, ThreadId};
use std::time::Duration;

use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::action::Action;
use super::app::App;

/// Why the TUI cannot start here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    /// stdout is not a terminal: print the text report instead.
    NotATerminal,
    /// `TERM=dumb`: the terminal cannot draw a full-screen UI.
    DumbTerminal,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsupported::NotATerminal => write!(f, "stdout is not a terminal; the TUI needs one"),
            Unsupported::DumbTerminal => write!(
                f,
                "this terminal (TERM=dumb) cannot show the trailscope TUI; use a terminal such as \
                 xterm-256color, or run a headless command (`trailscope verify`, `trailscope tuf verify`)"
            ),
        }
    }
}

/// Checks stdout and `TERM` before touching the terminal.
pub fn preflight() -> Result<(), Unsupported> {
    if std::env::var_os("TERM").is_some_and(|t| t == "dumb") {
        return Err(Unsupported::DumbTerminal);
    }
    if !io::stdout().is_terminal() {
        return Err(Unsupported::NotATerminal);
    }
    Ok(())
}

static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();
static MOUSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Puts the terminal back: leave the alternate screen and raw mode, show
/// the cursor, stop mouse capture. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    if MOUSE.swap(false, std::sync::atomic::Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(out, LeaveAlternateScreen, crossterm::cursor::Show);
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

/// Installs (once) a panic hook that restores the terminal before the panic
/// message is printed — only for panics of the UI thread; a panic in a
/// verification thread is caught there and shown as an error in the TUI.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            tracing::error!("panic: {info}");
            if UI_THREAD.get() == Some(&thread::current().id()) {
                restore();
            }
            previous(info);
        }));
    });
}

/// The terminal in TUI mode; restores it when dropped.
pub struct Guard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Guard {
    pub fn enter(mouse: bool) -> io::Result<Self> {
        let _ = UI_THREAD.set(thread::current().id());
        install_panic_hook();
        terminal::enable_raw_mode()?;
        let mut out = io::stdout();
        let entered = execute!(out, EnterAlternateScreen).and_then(|_| {
            if mouse {
                MOUSE.store(true, std::sync::atomic::Ordering::SeqCst);
                execute!(out, EnableMouseCapture)?;
            }
            Terminal::new(CrosstermBackend::new(io::stdout()))
        });
        match entered {
            Ok(terminal) => Ok(Self { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Spinner speed while work runs; input is polled at this rate then.
const TICK: Duration = Duration::from_millis(100);
/// Poll rate when idle (watching files needs a heartbeat).
const IDLE: Duration = Duration::from_millis(250);

/// The event loop: draw when dirty, wait for input or a tick, apply
/// results as they arrive.
pub fn event_loop(guard: &mut Guard, app: &mut App) -> io::Result<()> {
    let size = guard.terminal.size()?;
    app.dispatch(Action::Resize(size.width, size.height));
    let mut dirty = true;
    loop {
        if dirty {
            guard.terminal.draw(|frame| app.render(frame))?;
            let output = app.take_output();
            if !output.is_empty() {
                let backend = guard.terminal.backend_mut();
                for sequence in output {
                    backend.write_all(sequence.as_bytes())?;
                }
                backend.flush()?;
            }
            dirty = false;
        }
        let timeout = if app.busy() { TICK } else { IDLE };
        if event::poll(timeout)? {
            // Apply every pending event before drawing again.
            loop {
                let ev = event::read()?;
                app.handle_event(&ev);
                if app.should_quit() || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
            dirty = true;
        } else if app.busy() {
            app.dispatch(Action::Tick);
            dirty = true;
        }
        dirty |= app.poll();
        if app.should_quit() {
            return Ok(());
        }
    }
}
