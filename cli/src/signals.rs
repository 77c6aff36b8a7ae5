//! Ctrl-C (SIGINT), SIGTERM and SIGHUP: reported like any other failure, and files the
//! process made removed on the way out.
//!
//! [`install`] blocks the three signals in the main thread before any other thread
//! exists (threads inherit the mask, so no thread ever runs a signal handler) and
//! starts one thread that takes them with `sigwait`. That thread runs in ordinary
//! context: it may lock, allocate and print. On a signal it
//! 1. claims the right to report (see [`begin_report`]): if the command is already
//!    printing its result, it gets a second to finish (and exit with its own code)
//!    before the process exits with 128 + signal anyway;
//! 2. runs the interrupt reporter the command set with [`on_interrupt`] (for `wait`: the
//!    last status and "interrupted", JSON too) or the default one;
//! 3. removes the files registered with [`remove_on_exit`];
//! 4. exits with 128 + the signal number (130 for Ctrl-C).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

/// Prints what an interrupted command reports; gets the signal number, returns nothing
/// (the exit code is 128 + signal).
pub type Reporter = Box<dyn FnOnce(i32) + Send>;

static REPORTER: Mutex<Option<Reporter>> = Mutex::new(None);
static CLEANUP: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Who reports the outcome: nobody yet, the command, or the signal thread.
static REPORTER_STATE: AtomicU8 = AtomicU8::new(NOBODY);
const NOBODY: u8 = 0;
const COMMAND: u8 = 1;
const SIGNAL: u8 = 2;

/// Sets what an interrupt prints (replacing the previous reporter).
pub fn on_interrupt(reporter: Reporter) {
    if let Ok(mut r) = REPORTER.lock() {
        *r = Some(reporter);
    }
}

/// Removes `path` (a file, or a directory with its contents) when the process ends
/// through [`exit`] or a signal.
pub fn remove_on_exit(path: PathBuf) {
    if let Ok(mut c) = CLEANUP.lock() {
        c.push(path);
    }
}

fn cleanup() {
    let paths = CLEANUP.lock().map(|mut c| std::mem::take(&mut *c));
    for p in paths.into_iter().flatten() {
        if p.is_dir() {
            let _ = std::fs::remove_dir_all(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// Exits after removing the registered files.
pub fn exit(code: i32) -> ! {
    cleanup();
    std::process::exit(code)
}

/// Called right before a command prints its final result or error (calling it again
/// is harmless): from then on a signal no longer interrupts the report (output stays
/// one JSON object). If a signal is already being reported, never returns: the signal
/// thread ends the process.
pub fn begin_report() {
    match REPORTER_STATE.compare_exchange(NOBODY, COMMAND, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) | Err(COMMAND) => {}
        Err(_) => loop {
            std::thread::park();
        },
    }
}

/// What a signal does once the reporter ran: the exit code 128 + signal.
fn interrupted(signal: i32) -> ! {
    // Hold stderr until the process is gone (the lock is reentrant: the reporter on this
    // thread can still write): no other thread, such as the live progress spinner, can
    // draw after the report.
    std::mem::forget(std::io::stderr().lock());
    let reporter = REPORTER.lock().ok().and_then(|mut r| r.take());
    if let Some(report) = reporter {
        report(signal);
    }
    exit(128 + signal)
}

/// The signal's name for messages.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        2 => "SIGINT (Ctrl-C)",
        15 => "SIGTERM",
        1 => "SIGHUP",
        _ => "a signal",
    }
}

/// Blocks SIGINT, SIGTERM and SIGHUP and starts the thread that handles them. Call
/// first thing in `main`, before any thread is started.
#[cfg(unix)]
pub fn install() {
    // SAFETY: plain libc calls on a local, initialised sigset_t.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        set
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || loop {
            let mut signal: libc::c_int = 0;
            // SAFETY: `set` is a valid sigset_t; `signal` is writable.
            if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
                continue;
            }
            let claimed =
                REPORTER_STATE.compare_exchange(NOBODY, SIGNAL, Ordering::SeqCst, Ordering::SeqCst);
            if claimed.is_err() {
                // The command is printing its result: let it finish (it then exits with
                // its own code), but never outlive a signal by more than a second.
                std::thread::sleep(std::time::Duration::from_secs(1));
                exit(128 + signal);
            }
            interrupted(signal);
        });
    if spawned.is_err() {
        // No handler thread: unblock, so that Ctrl-C still ends the process.
        // SAFETY: as above.
        unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
    }
}

/// Elsewhere the default signal behaviour stays.
#[cfg(not(unix))]
pub fn install() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(signal_name(2), "SIGINT (Ctrl-C)");
        assert_eq!(signal_name(15), "SIGTERM");
    }
}
