//! The journal's one door to the file system.
//!
//! Every file operation of the journal goes through [`Fs`] and [`FsFile`]: open, read,
//! write, set length, sync, rename, remove, sync directory, stat, chmod/chown, lock. Two
//! implementations: [`RealFs`] (this module) and, in tests, a crash simulator that
//! records each operation and builds every state a power cut could leave (`sim.rs`).
//!
//! What the real one guarantees:
//! - Private files: files are created with mode 0600 and then `fchmod`ed to it (the
//!   umask can only take bits away, so a umask of 0277 would otherwise leave 0400);
//!   `O_NOFOLLOW`, so a symbolic link planted at the lock or temporary file's name is
//!   refused rather than followed.
//! - Durable: [`FsFile::sync`] is `fdatasync` (`FlushFileBuffers` on Windows), enough for
//!   appends, whose new length is metadata `fdatasync` must flush; [`Fs::sync_dir`] is an
//!   `fsync` of the directory, which makes a creation or a rename in it durable (Windows
//!   has no directory handle to flush: its rename is `MoveFileExW` with
//!   `MOVEFILE_WRITE_THROUGH`).
//! - Fresh reads: [`FsFile::read_all`] first drops the file's cached pages on Linux
//!   (`POSIX_FADV_DONTNEED`), so pages that a failed write-back left dirty in the cache are
//!   not taken for the disk's content by a new client (the PostgreSQL "fsyncgate" lesson).
//! - Lock: a `fcntl(F_SETLK)` write lock on the whole file (per process: a forked child
//!   does not inherit it; the holder's pid is known to `F_GETLK`). Closing *any*
//!   descriptor of a file drops the process's `fcntl` locks on it, which is why the
//!   journal never opens a lock file that another client of this process may hold (see
//!   `registry.rs`). On Windows `LockFileEx` on one byte far past the pid text.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// What kind of directory entry a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

/// The facts of a file the journal checks (`lstat`/`fstat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) kind: Kind,
    /// Device and inode (volume serial and file index on Windows): the file's identity.
    pub(crate) id: (u64, u64),
    /// Number of names (hard links).
    pub(crate) nlink: u64,
    /// Owner and group; `None` where the OS has no such notion (Windows).
    pub(crate) owner: Option<(u32, u32)>,
    /// Permission bits (`0o7777`); 0o600 on Windows.
    pub(crate) mode: u32,
    pub(crate) len: u64,
}

/// How [`Fs::open`] treats a missing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Create {
    /// The file must exist.
    No,
    /// The file must not exist (`O_EXCL`): created with mode 0600.
    New,
}

/// Why a lock was not taken.
#[derive(Debug)]
pub(crate) enum LockError {
    /// Another process holds it (its pid, when the OS can tell).
    Held(Option<u32>),
    Io(io::Error),
}

/// The file-system operations of the journal.
pub(crate) trait Fs: Send + Sync + fmt::Debug {
    /// The entry at `path` itself (a symbolic link is not followed); `None` when absent.
    fn stat(&self, path: &Path) -> io::Result<Option<Meta>>;
    /// Opens `path` for reading and writing, never through a symbolic link.
    fn open(&self, path: &Path, create: Create) -> io::Result<Box<dyn FsFile>>;
    /// Renames `from` over `to` (atomic; durable once [`sync_dir`](Self::sync_dir) returns).
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes the name `path` (a symbolic link itself, never its target).
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// Flushes the directory that holds `path`: a creation or rename in it is durable.
    fn sync_dir(&self, path: &Path) -> io::Result<()>;
    /// The effective user id of this process; `None` where the OS has none (Windows).
    fn euid(&self) -> Option<u32>;
}

/// An open file of [`Fs`].
pub(crate) trait FsFile: Send + Sync + fmt::Debug {
    /// The whole content, as the storage has it (see the module docs).
    fn read_all(&mut self) -> io::Result<Vec<u8>>;
    /// Writes all of `data` at `offset`.
    fn write_at(&mut self, offset: u64, data: &[u8]) -> io::Result<()>;
    /// Truncates or extends the file to `len` bytes.
    fn set_len(&mut self, len: u64) -> io::Result<()>;
    /// Flushes the file's data (and the metadata needed to read it back) to stable storage.
    fn sync(&mut self) -> io::Result<()>;
    /// `fstat`.
    fn meta(&self) -> io::Result<Meta>;
    /// `fchmod` to `mode`, then `fchown` to `owner` when given (no-ops on Windows).
    fn set_perm(&mut self, mode: u32, owner: Option<(u32, u32)>) -> io::Result<()>;
    /// Takes the exclusive lock without waiting.
    fn try_lock(&mut self) -> Result<(), LockError>;
}

/// The operating system's file system.
#[derive(Debug, Default)]
pub(crate) struct RealFs;

#[derive(Debug)]
struct RealFile(File);

impl Fs for RealFs {
    fn stat(&self, path: &Path) -> io::Result<Option<Meta>> {
        let m = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let kind = if m.file_type().is_symlink() {
            Kind::Symlink
        } else if m.is_dir() {
            Kind::Dir
        } else if m.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Ok(Some(Meta {
                kind,
                id: (m.dev(), m.ino()),
                nlink: m.nlink(),
                owner: Some((m.uid(), m.gid())),
                mode: m.mode() & 0o7777,
                len: m.len(),
            }))
        }
        #[cfg(not(unix))]
        {
            if kind != Kind::File {
                return Ok(Some(Meta {
                    kind,
                    id: (0, 0),
                    nlink: 1,
                    owner: None,
                    mode: 0o600,
                    len: m.len(),
                }));
            }
            // Windows: the identity needs a handle. Opening and closing one here is
            // harmless: LockFileEx locks belong to the handle that took them.
            let f = OpenOptions::new().read(true).open(path)?;
            RealFile(f).meta().map(Some)
        }
    }

    fn open(&self, path: &Path, create: Create) -> io::Result<Box<dyn FsFile>> {
        let mut o = OpenOptions::new();
        o.read(true).write(true);
        if create == Create::New {
            o.create_new(true);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        #[cfg(windows)]
        {
            use std::os::windows::fs::OpenOptionsExt;
            use windows_sys::Win32::Storage::FileSystem::FILE_FLAG_OPEN_REPARSE_POINT;
            // Open a reparse point (a symbolic link) itself, not its target; it is then
            // refused below, as O_NOFOLLOW refuses one on unix.
            o.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
        }
        let mut f = RealFile(o.open(path)?);
        #[cfg(windows)]
        if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
            return Err(io::Error::other(format!(
                "{} is a symbolic link",
                path.display()
            )));
        }
        if create == Create::New {
            f.set_perm(0o600, None)?;
        }
        Ok(Box::new(f))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        #[cfg(windows)]
        {
            use std::os::windows::ffi::OsStrExt;
            use windows_sys::Win32::Storage::FileSystem::{
                MoveFileExW, MOVEFILE_REPLACE_EXISTING, MOVEFILE_WRITE_THROUGH,
            };
            let wide = |p: &Path| -> Vec<u16> { p.as_os_str().encode_wide().chain([0]).collect() };
            let (f, t) = (wide(from), wide(to));
            // SAFETY: MoveFileExW reads two NUL-terminated UTF-16 strings; `f` and `t`
            // are such strings (`chain([0])`) and outlive the call.
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
        std::fs::rename(from, to)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn sync_dir(&self, path: &Path) -> io::Result<()> {
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
            // Windows: renames are written through (see `rename`); a new file flushed
            // with FlushFileBuffers has a durable directory entry on NTFS.
            let _ = path;
            Ok(())
        }
    }

    fn euid(&self) -> Option<u32> {
        #[cfg(unix)]
        {
            // SAFETY: geteuid has no preconditions and cannot fail.
            Some(unsafe { libc::geteuid() })
        }
        #[cfg(not(unix))]
        None
    }
}

impl FsFile for RealFile {
    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: the descriptor is open for the duration of the call; the advice
            // only drops clean cached pages and reports errors by its return value.
            let _ =
                unsafe { libc::posix_fadvise(self.0.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        }
        let mut data = Vec::new();
        self.0.seek(SeekFrom::Start(0))?;
        self.0.read_to_end(&mut data)?;
        Ok(data)
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) -> io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            self.0.write_all_at(data, offset)
        }
        #[cfg(not(unix))]
        {
            use std::io::Write;
            self.0.seek(SeekFrom::Start(offset))?;
            self.0.write_all(data)
        }
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }

    fn meta(&self) -> io::Result<Meta> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = self.0.metadata()?;
            Ok(Meta {
                kind: if m.is_file() { Kind::File } else { Kind::Other },
                id: (m.dev(), m.ino()),
                nlink: m.nlink(),
                owner: Some((m.uid(), m.gid())),
                mode: m.mode() & 0o7777,
                len: m.len(),
            })
        }
        #[cfg(windows)]
        {
            use std::os::windows::io::AsRawHandle;
            use windows_sys::Win32::Storage::FileSystem::{
                GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION,
            };
            // SAFETY: an all-zero BY_HANDLE_FILE_INFORMATION is a valid value of this
            // plain C struct (integers and FILETIMEs only).
            let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
            // SAFETY: the handle is open for the duration of the call and `info` is a
            // valid, writable struct of the type the function fills.
            if unsafe { GetFileInformationByHandle(self.0.as_raw_handle() as _, &mut info) } == 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Meta {
                kind: Kind::File,
                id: (
                    u64::from(info.dwVolumeSerialNumber),
                    (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow),
                ),
                nlink: u64::from(info.nNumberOfLinks),
                owner: None,
                mode: 0o600,
                len: (u64::from(info.nFileSizeHigh) << 32) | u64::from(info.nFileSizeLow),
            })
        }
        #[cfg(not(any(unix, windows)))]
        {
            let m = self.0.metadata()?;
            Ok(Meta {
                kind: Kind::File,
                id: (0, 0),
                nlink: 1,
                owner: None,
                mode: 0o600,
                len: m.len(),
            })
        }
    }

    fn set_perm(&mut self, mode: u32, owner: Option<(u32, u32)>) -> io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            self.0
                .set_permissions(std::fs::Permissions::from_mode(mode))?;
            if let Some((uid, gid)) = owner {
                std::os::unix::fs::fchown(&self.0, Some(uid), Some(gid))?;
            }
            Ok(())
        }
        #[cfg(not(unix))]
        {
            let _ = (mode, owner);
            Ok(())
        }
    }

    fn try_lock(&mut self) -> Result<(), LockError> {
        try_lock(&self.0)
    }
}

#[cfg(unix)]
fn try_lock(file: &File) -> Result<(), LockError> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: an all-zero `flock` is a valid value of this plain C struct.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as _;
    fl.l_whence = libc::SEEK_SET as _;
    fl.l_start = 0;
    fl.l_len = 0; // the whole file, however long
                  // SAFETY: `fd` is open for the duration of the call and `fl` is a valid flock that
                  // F_SETLK only reads.
    if unsafe { libc::fcntl(fd, libc::F_SETLK, &fl) } == 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EAGAIN) | Some(libc::EACCES) => {
            // Who holds it: F_GETLK rewrites `probe` with the holder's lock and pid.
            let mut probe = fl;
            // SAFETY: `fd` is open; `probe` is a valid flock, writable for F_GETLK.
            let ok = unsafe { libc::fcntl(fd, libc::F_GETLK, &mut probe) } == 0;
            let pid = (ok && i32::from(probe.l_type) != libc::F_UNLCK && probe.l_pid > 0)
                .then_some(probe.l_pid as u32);
            Err(LockError::Held(pid))
        }
        _ => Err(LockError::Io(e)),
    }
}

#[cfg(windows)]
fn try_lock(file: &File) -> Result<(), LockError> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Foundation::{ERROR_IO_PENDING, ERROR_LOCK_VIOLATION};
    use windows_sys::Win32::Storage::FileSystem::{
        LockFileEx, LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY,
    };
    use windows_sys::Win32::System::IO::OVERLAPPED;
    // SAFETY: an all-zero OVERLAPPED is a valid value of this plain C struct.
    let mut ov: OVERLAPPED = unsafe { std::mem::zeroed() };
    // The lock covers one byte at 2^32, past the pid text, so others can read the pid.
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
            Err(LockError::Held(None))
        }
        _ => Err(LockError::Io(e)),
    }
}

#[cfg(not(any(unix, windows)))]
fn try_lock(_file: &File) -> Result<(), LockError> {
    // No OS lock here: the in-process registry still applies.
    Ok(())
}

/// `PATH` with `suffix` appended to its last component (`PATH.lock`, `PATH.tmp`).
pub(crate) fn beside(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}
