//! One writer per journal *file*: the OS lock on `PATH.lock` and the in-process registry.
//!
//! The registry holds the identity (device and inode; volume serial and file index on
//! Windows) of every lock file a client of this process holds. It is keyed by the lock
//! file, not the journal, whose inode changes at every compaction; and since the journal's
//! path is resolved first, a symbolic link, a bind mount or a relative path all lead to
//! the same lock file. On unix the identity comes from `lstat` *before* the file is
//! opened: a `fcntl` lock belongs to the process, and closing any descriptor of the file
//! would release it under the client that holds it (SQLite's unix VFS keeps an inode table
//! for the same reason). [`HeldLock`] releases the OS lock first and leaves the registry
//! after, so no thread of this process can open the file in between.

use std::collections::HashSet;
use std::io::{self};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::fs::{Create, Fs, FsFile, Kind, LockError};

/// A file's identity: device and inode (volume serial and file index on Windows).
type FileId = (u64, u64);

fn registry() -> MutexGuard<'static, HashSet<FileId>> {
    static OPEN: OnceLock<Mutex<HashSet<FileId>>> = OnceLock::new();
    OPEN.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// Why the lock was not taken.
#[derive(Debug)]
pub(crate) enum NotLocked {
    /// Another client of this process holds it.
    ThisProcess,
    /// Another process holds it (its pid, when known).
    OtherProcess(Option<u32>),
    Io(io::Error),
}

/// The lock on a journal's lock file, held until dropped.
#[derive(Debug)]
pub(crate) struct HeldLock {
    file: Option<Box<dyn FsFile>>,
    id: FileId,
}

impl HeldLock {
    /// Takes the lock on the lock file at `path` (created 0600 if missing), without waiting.
    pub(crate) fn acquire(fs: &dyn Fs, path: &Path) -> Result<HeldLock, NotLocked> {
        let (file, id) = {
            let mut open = registry();
            let (file, id) = open_unheld(fs, path, &open)?;
            open.insert(id);
            (file, id)
        };
        let mut file = file;
        let result = match file.try_lock() {
            Ok(()) => {
                // The holder's pid, for systems where the OS cannot tell. Best effort: the
                // lock holds without it, and a full disk must not stop an open.
                let pid = format!("{}\n", std::process::id());
                let _ = file
                    .set_len(0)
                    .and_then(|()| file.write_at(0, pid.as_bytes()));
                return Ok(HeldLock {
                    file: Some(file),
                    id,
                });
            }
            Err(LockError::Held(pid)) => NotLocked::OtherProcess(pid.or_else(|| {
                let text = file.read_all().ok()?;
                String::from_utf8_lossy(&text).trim().parse().ok()
            })),
            Err(LockError::Io(e)) => NotLocked::Io(e),
        };
        // Not ours: the descriptor closes before the registry entry goes (see Drop).
        drop(file);
        registry().remove(&id);
        Err(result)
    }
}

/// Opens the lock file when no client of this process holds it; its identity.
fn open_unheld(
    fs: &dyn Fs,
    path: &Path,
    open: &HashSet<FileId>,
) -> Result<(Box<dyn FsFile>, FileId), NotLocked> {
    let not_a_file = |what: &str| {
        NotLocked::Io(io::Error::other(format!(
            "the lock file {} is {what}",
            path.display()
        )))
    };
    // Twice at most: a lock file created by another process between the two steps.
    for _ in 0..2 {
        match fs.stat(path).map_err(NotLocked::Io)? {
            Some(m) if m.kind == Kind::Symlink => return Err(not_a_file("a symbolic link")),
            Some(m) if m.kind != Kind::File => return Err(not_a_file("not a regular file")),
            Some(m) => {
                if open.contains(&m.id) {
                    return Err(NotLocked::ThisProcess);
                }
                let mut f = fs.open(path, Create::No).map_err(NotLocked::Io)?;
                let now = f.meta().map_err(NotLocked::Io)?;
                if now.id != m.id {
                    return Err(NotLocked::Io(io::Error::other(format!(
                        "the lock file {} was replaced while it was opened",
                        path.display()
                    ))));
                }
                // A lock file of an older version may be 0644: it holds only a pid, but
                // the rule is one: 0600.
                if now.mode & 0o077 != 0 && now.owner.map(|o| o.0) == fs.euid() {
                    let _ = f.set_perm(0o600, None);
                }
                return Ok((f, m.id));
            }
            None => match fs.open(path, Create::New) {
                Ok(f) => {
                    let id = f.meta().map_err(NotLocked::Io)?.id;
                    return Ok((f, id));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(NotLocked::Io(e)),
            },
        }
    }
    Err(NotLocked::Io(io::Error::other(format!(
        "the lock file {} keeps changing",
        path.display()
    ))))
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        // The OS lock goes first (closing the descriptor releases it), the registry
        // entry after: until then no thread of this process opens the file.
        drop(self.file.take());
        registry().remove(&self.id);
    }
}
