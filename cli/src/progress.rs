//! The progress report of `cfrpd wait` on stderr: a live spinner line on a terminal,
//! plain lines otherwise, or nothing with `--quiet`.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cashfree_rpd::Status;

use crate::output::{err, sanitize, status_name};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One redrawn line with a spinner (stderr is a terminal).
    Live,
    /// A line when the state changes, and at least every 30 s.
    Plain,
    /// Nothing.
    Quiet,
}

impl Mode {
    /// `Quiet` when asked, `Live` when stderr is a capable terminal, else `Plain`.
    pub fn detect(quiet: bool) -> Mode {
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() && !dumb {
            Mode::Live
        } else {
            Mode::Plain
        }
    }
}

/// Spinner frames of the live line.
const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// Redraw period of the live line.
const TICK: Duration = Duration::from_millis(100);
/// Longest silence between plain lines.
const PLAIN_EVERY: Duration = Duration::from_secs(30);

/// What the live line shows.
#[derive(Debug)]
struct Snapshot {
    state: String,
    polls: u32,
}

/// Reports the progress of one wait.
#[derive(Debug)]
pub struct Progress<'a> {
    id: &'a str,
    mode: Mode,
    started: Instant,
    deadline: Instant,
}

/// `3`, `0.5`, `600`: seconds without noise.
pub fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        let mut t = format!("{s:.3}");
        while t.ends_with('0') {
            t.pop();
        }
        t
    }
}

/// The state as shown: the status name, or `(no status)`.
fn state_of(s: &Status) -> String {
    let name = status_name(&s.status);
    if name.is_empty() {
        "(no status)".into()
    } else {
        sanitize(name)
    }
}

impl<'a> Progress<'a> {
    /// Progress for a wait on `id` of at most `timeout`, starting now.
    pub fn new(id: &'a str, timeout: Duration, mode: Mode) -> Progress<'a> {
        let started = Instant::now();
        Progress {
            id,
            mode,
            started,
            deadline: started + timeout,
        }
    }

    fn secs_left(&self) -> u64 {
        let left = self.deadline.saturating_duration_since(Instant::now());
        // Round up: "1 s left" until it is really over.
        left.as_secs() + u64::from(left.subsec_nanos() > 0)
    }

    /// Runs `work` (the wait), giving it the per-poll callback, while progress is shown.
    pub fn run<T>(
        &self,
        interval: Duration,
        work: impl FnOnce(&mut dyn FnMut(&Status) -> bool) -> T,
    ) -> T {
        match self.mode {
            Mode::Quiet => work(&mut |_| true),
            Mode::Plain => self.run_plain(interval, work),
            Mode::Live => self.run_live(interval, work),
        }
    }

    fn header(&self, interval: Duration) -> String {
        format!(
            "waiting for {}: up to {} s, polling every {} s\n",
            self.id,
            fmt_secs(self.deadline - self.started),
            fmt_secs(interval)
        )
    }

    fn run_plain<T>(
        &self,
        interval: Duration,
        work: impl FnOnce(&mut dyn FnMut(&Status) -> bool) -> T,
    ) -> T {
        err(&self.header(interval));
        let mut last_state = String::new();
        let mut last_line: Option<Instant> = None;
        work(&mut |status| {
            let state = state_of(status);
            let due = last_line.is_none_or(|t| t.elapsed() >= PLAIN_EVERY);
            if state != last_state || due {
                err(&format!(
                    "[{:>4} s] {state}, {} s left\n",
                    self.started.elapsed().as_secs(),
                    self.secs_left()
                ));
                last_state = state;
                last_line = Some(Instant::now());
            }
            true
        })
    }

    fn run_live<T>(
        &self,
        interval: Duration,
        work: impl FnOnce(&mut dyn FnMut(&Status) -> bool) -> T,
    ) -> T {
        err(&self.header(interval));
        let snapshot = Mutex::new(Snapshot {
            state: "starting".into(),
            polls: 0,
        });
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let mut frame = 0usize;
                while !done.load(Ordering::Relaxed) {
                    let mut line = String::from("\r\x1b[2K");
                    if let Ok(s) = snapshot.lock() {
                        let _ = write!(
                            line,
                            "{} {}  {} s left  ({} poll{})",
                            FRAMES[frame % FRAMES.len()],
                            s.state,
                            self.secs_left(),
                            s.polls,
                            if s.polls == 1 { "" } else { "s" }
                        );
                    }
                    err(&line);
                    frame += 1;
                    std::thread::sleep(TICK);
                }
                err("\r\x1b[2K");
            });
            let result = work(&mut |status| {
                if let Ok(mut s) = snapshot.lock() {
                    s.state = state_of(status);
                    s.polls += 1;
                }
                true
            });
            done.store(true, Ordering::Relaxed);
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_printed_without_noise() {
        assert_eq!(fmt_secs(Duration::from_secs(600)), "600");
        assert_eq!(fmt_secs(Duration::from_millis(500)), "0.5");
        assert_eq!(fmt_secs(Duration::from_millis(1250)), "1.25");
    }

    #[test]
    fn quiet_mode_just_runs_the_work() {
        let p = Progress::new("x", Duration::from_secs(1), Mode::Quiet);
        assert_eq!(p.run(Duration::from_secs(1), |_| 7), 7);
    }
}
