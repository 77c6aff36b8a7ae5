//! The operating-system side of the journal: durable writes, atomic replacement and the
//! lock that keeps one client per journal.
//!
//! - Durable: `File::sync_data` / `sync_all` (`fdatasync`/`fsync` on unix,
//!   `FlushFileBuffers` on Windows); on unix the directory is flushed too after a file
//!   is created or renamed (Windows has no directory handle to flush: its rename is
//!   `MoveFileExW` with `MOVEFILE_WRITE_THROUGH`).
//! - Lock: `PATH.lock`, created once and never renamed or removed, so compaction's
//!   rename of the journal never moves it. On unix a `fcntl(F_SETLK)` write lock: held
//!   per process, so a forked child does not inherit it, and the holder's pid is known
//!   to `F_GETLK`. A process must not open the lock file twice (closing any descriptor
//!   of it would drop the lock): the in-process registry in `store.rs` guarantees that.
//!   On Windows `LockFileEx` on a byte far past the pid text.
//!   The holder also writes its pid into the file, for systems where the OS cannot tell.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// `PATH.lock` next to the journal at `PATH`.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// `PATH.tmp`: compaction writes the new journal here, then renames it over `PATH`.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}

/// Flushes the directory holding `path`, so a new or renamed entry in it is durable.
pub(crate) fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Windows: renames are written through (see `replace`); creating a file and
        // flushing it with FlushFileBuffers makes its directory entry durable on NTFS.
        let _ = path;
        Ok(())
    }
}

/// Renames `from` over `to` atomically and durably.
pub(crate) fn replace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStrExt;
        use windows_sys::Win32::Storage::FileSystem::{
            MoveFileExW, MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH,
        };
        let wide = |p: &Path| -> Vec<u16> { p.as_os_str().encode_wide().chain([0]).collect() };
        let (f, t) = (wide(from), wide(to));
        // SAFETY: both are NUL-terminated UTF-16 strings that live across the call.
        let ok = unsafe {
            MoveFileExW(
                f.as_ptr(),
                t.as_ptr(),
                MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(windows))]
    {
        std::fs::rename(from, to)?;
        sync_dir(to)
    }
}

/// The held lock on `PATH.lock`; released when dropped (the file stays).
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

/// Why the lock was not taken.
pub(crate) enum LockError {
    /// Another process holds it (its pid, when known).
    Held(Option<u32>),
    Io(io::Error),
}

impl Lock {
    /// Takes the lock without waiting, then writes this process's pid into the file.
    pub(crate) fn acquire(path: &Path) -> Result<Lock, LockError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(LockError::Io)?;
        if let Err(e) = try_lock(&file) {
            return Err(match e {
                TryLock::Busy(pid) => LockError::Held(pid.or_else(|| read_pid(&mut file))),
                TryLock::Io(e) => LockError::Io(e),
            });
        }
        // Best effort: the lock holds without it (a full disk must not stop a client
        // from opening a journal it could still read).
        let pid = format!("{}\n", std::process::id());
        let _ = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(pid.as_bytes()));
        Ok(Lock { _file: file })
    }
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut s = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}

enum TryLock {
    Busy(Option<u32>),
    Io(io::Error),
}

#[cfg(unix)]
fn try_lock(file: &File) -> Result<(), TryLock> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: an all-zero `flock` is a valid value of this plain C struct.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as _;
    fl.l_whence = libc::SEEK_SET as _;
    fl.l_start = 0;
    fl.l_len = 0; // the whole file, however long
                  // SAFETY: `fd` is open for the duration of the call; `fl` is a valid flock.
    if unsafe { libc::fcntl(fd, libc::F_SETLK, &fl) } == 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EAGAIN) | Some(libc::EACCES) => {
            // Who holds it: F_GETLK rewrites `fl` with the holder's lock and pid.
            let mut probe = fl;
            // SAFETY: as above; `probe` is a valid, writable flock.
            let ok = unsafe { libc::fcntl(fd, libc::F_GETLK, &mut probe) } == 0;
            let pid = (ok && i32::from(probe.l_type) != libc::F_UNLCK && probe.l_pid > 0)
                .then_some(probe.l_pid as u32);
            Err(TryLock::Busy(pid))
        }
        _ => Err(TryLock::Io(e)),
    }
}

#[cfg(windows)]
fn try_lock(file: &File) -> Result<(), TryLock> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Foundation::{ERROR_IO_PENDING, ERROR_LOCK_VIOLATION};
    use windows_sys::Win32::Storage::FileSystem::{
        LockFileEx, LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY,
    };
    use windows_sys::Win32::System::IO::OVERLAPPED;
    // SAFETY: an all-zero OVERLAPPED is valid; the lock covers one byte at 2^32, past
    // the pid text, so other processes can still read the pid.
    let mut ov: OVERLAPPED = unsafe { std::mem::zeroed() };
    ov.Anonymous.Anonymous.OffsetHigh = 1;
    // SAFETY: the handle is open for the call; `ov` is valid and outlives it (the
    // handle is synchronous, so the call completes before returning).
    let ok = unsafe {
        LockFileEx(
            file.as_raw_handle() as _,
            LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
            0,
            1,
            0,
            &mut ov,
        )
    };
    if ok != 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(c) if c == ERROR_LOCK_VIOLATION as i32 || c == ERROR_IO_PENDING as i32 => {
            Err(TryLock::Busy(None))
        }
        _ => Err(TryLock::Io(e)),
    }
}

#[cfg(not(any(unix, windows)))]
fn try_lock(_file: &File) -> Result<(), TryLock> {
    // No OS lock here: the in-process registry still applies.
    Ok(())
}

/// Creates (or truncates) `path` with `data` in it, flushed to stable storage.
pub(crate) fn write_new(path: &Path, data: &[u8]) -> io::Result<File> {
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    f.write_all(data)?;
    f.sync_all()?;
    Ok(f)
}
