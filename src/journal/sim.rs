//! Power loss and I/O errors, simulated (tests only).
//!
//! [`SimFs`] is an in-memory [`Fs`] in the manner of SQLite's crash-test VFS
//! (`src/test6.c`) and the ALICE study (OSDI 2014). It keeps, per file, the content on
//! "disk" and the writes and truncations not yet synced; per directory, the names on disk
//! and the creations, renames and removals not yet followed by a directory sync. After
//! every operation it can take a snapshot; [`crash_images`] turns one snapshot into every
//! state a power cut at that moment could leave:
//! - any prefix of the unsynced directory operations applied (a rename not followed by a
//!   directory sync may be undone; one after another, as a journaling file system does);
//! - for every file, any subset of its unsynced writes' 512-byte sectors persisted (a
//!   write torn at sector boundaries; later writes may land without earlier ones), and
//!   any subset of its unsynced truncations; the file's length either as the persisted
//!   sectors make it or as the file had it (its data lost, zeros instead). Up to
//!   [`EXHAUSTIVE_UNITS`] sectors per file every subset is built; beyond, every prefix,
//!   every "all but one", and [`SAMPLED`] seeded random subsets.
//!
//! It can also fail the N-th operation with an OS error (EIO, ENOSPC), for the fault
//! tests in `crash_tests`.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::fs::{Create, Fs, FsFile, Kind, LockError, Meta};

pub(crate) const SECTOR: u64 = 512;
/// Files with at most this many unsynced units (sectors and truncations) get every subset.
pub(crate) const EXHAUSTIVE_UNITS: usize = 10;
/// Random subsets drawn for files with more units.
pub(crate) const SAMPLED: usize = 48;
/// The simulated process's user.
pub(crate) const UID: u32 = 1000;

#[derive(Debug, Clone)]
enum Pending {
    Write { at: u64, data: Vec<u8> },
    SetLen(u64),
}

#[derive(Debug, Clone)]
struct Inode {
    durable: Vec<u8>,
    pending: Vec<Pending>,
    mode: u32,
    owner: (u32, u32),
}

impl Inode {
    fn new(content: Vec<u8>) -> Inode {
        Inode {
            durable: content,
            pending: Vec::new(),
            mode: 0o600,
            owner: (UID, UID),
        }
    }

    fn current(&self) -> Vec<u8> {
        let mut data = self.durable.clone();
        for p in &self.pending {
            match p {
                Pending::Write { at, data: d } => put(&mut data, *at, d),
                Pending::SetLen(n) => data.resize(*n as usize, 0),
            }
        }
        data
    }
}

fn put(image: &mut Vec<u8>, at: u64, d: &[u8]) {
    let end = at as usize + d.len();
    if image.len() < end {
        image.resize(end, 0);
    }
    image[at as usize..end].copy_from_slice(d);
}

#[derive(Debug, Clone)]
enum DirOp {
    Link(String, u64),
    Unlink(String),
    Rename(String, String),
}

/// Files and one flat namespace, on disk and as the process sees them.
#[derive(Debug, Clone, Default)]
pub(crate) struct World {
    inodes: HashMap<u64, Inode>,
    disk_names: BTreeMap<String, u64>,
    names: BTreeMap<String, u64>,
    dir_pending: Vec<DirOp>,
    next_ino: u64,
}

impl World {
    /// Files as given, all on disk.
    pub(crate) fn with(files: &BTreeMap<String, Vec<u8>>) -> World {
        let mut w = World::default();
        for (name, data) in files {
            w.next_ino += 1;
            w.inodes.insert(w.next_ino, Inode::new(data.clone()));
            w.names.insert(name.clone(), w.next_ino);
        }
        w.disk_names = w.names.clone();
        w
    }

    /// Every file as the process sees it (what a clean shutdown leaves).
    pub(crate) fn visible(&self) -> BTreeMap<String, Vec<u8>> {
        self.names
            .iter()
            .map(|(n, i)| (n.clone(), self.inodes[i].current()))
            .collect()
    }

    /// Every file as the disk has it, nothing unsynced.
    pub(crate) fn on_disk(&self) -> BTreeMap<String, Vec<u8>> {
        self.disk_names
            .iter()
            .map(|(n, i)| (n.clone(), self.inodes[i].durable.clone()))
            .collect()
    }
}

/// Which operation fails, and how.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fault {
    pub(crate) at: usize,
    pub(crate) errno: i32,
}

#[derive(Debug, Default)]
struct SimState {
    world: World,
    snapshots: Vec<World>,
    record: bool,
    /// Every operation, in order ("sync /j"): what the fault tests read.
    log: Vec<String>,
    fault: Option<Fault>,
}

/// The simulated file system (cheap to clone: clones share it).
#[derive(Debug, Clone)]
pub(crate) struct SimFs {
    dev: u64,
    st: Arc<Mutex<SimState>>,
}

impl SimFs {
    pub(crate) fn new(world: World, record: bool, fault: Option<Fault>) -> SimFs {
        // A device number per instance: the in-process lock registry is shared by all.
        static NEXT_DEV: AtomicU64 = AtomicU64::new(1 << 40);
        let snapshots = if record {
            vec![world.clone()]
        } else {
            Vec::new()
        };
        SimFs {
            dev: NEXT_DEV.fetch_add(1, Ordering::Relaxed),
            st: Arc::new(Mutex::new(SimState {
                world,
                snapshots,
                record,
                log: Vec::new(),
                fault,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        self.st.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs one operation: counted, logged, failed when it is the faulty one, and
    /// snapshotted afterwards when it may change what a crash leaves.
    fn op<T>(
        &self,
        what: String,
        mutates: bool,
        f: impl FnOnce(&mut World) -> io::Result<T>,
    ) -> io::Result<T> {
        let mut st = self.lock();
        // A file's operations are logged under the name it has now (a rename moves it).
        let what = match what.split_once('\u{1}') {
            Some((verb, rest)) => {
                let (ino, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let ino: u64 = ino.parse().expect("inode number");
                let now = st
                    .world
                    .names
                    .iter()
                    .find(|(_, &i)| i == ino)
                    .map_or("(unlinked)", |(n, _)| n.as_str());
                format!("{verb}{now}{tail}")
            }
            None => what,
        };
        let n = st.log.len();
        st.log.push(what);
        if let Some(fault) = st.fault.filter(|f| f.at == n) {
            return Err(io::Error::from_raw_os_error(fault.errno));
        }
        let r = f(&mut st.world);
        if st.record && mutates {
            let w = st.world.clone();
            st.snapshots.push(w);
        }
        r
    }

    pub(crate) fn snapshots(&self) -> Vec<World> {
        std::mem::take(&mut self.lock().snapshots)
    }

    /// How many snapshots exist so far: the index the next one gets, minus one is the
    /// state "now".
    pub(crate) fn now(&self) -> usize {
        self.lock().snapshots.len() - 1
    }

    pub(crate) fn log(&self) -> Vec<String> {
        self.lock().log.clone()
    }

    pub(crate) fn world(&self) -> World {
        self.lock().world.clone()
    }

    fn meta_of(&self, w: &World, ino: u64) -> Meta {
        let i = &w.inodes[&ino];
        Meta {
            kind: Kind::File,
            id: (self.dev, ino),
            nlink: w.names.values().filter(|&&x| x == ino).count() as u64,
            owner: Some(i.owner),
            mode: i.mode,
            len: i.current().len() as u64,
        }
    }
}

fn name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn not_found(path: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("{path}: no such file"))
}

impl Fs for SimFs {
    fn stat(&self, path: &Path) -> io::Result<Option<Meta>> {
        let p = name(path);
        let this = self.clone();
        self.op(format!("stat {p}"), false, |w| {
            Ok(w.names.get(&p).map(|&ino| this.meta_of(w, ino)))
        })
    }

    fn open(&self, path: &Path, create: Create) -> io::Result<Box<dyn FsFile>> {
        let p = name(path);
        let ino = self.op(format!("open {p} {create:?}"), true, |w| {
            match (w.names.get(&p), create) {
                (Some(&ino), Create::No) => Ok(ino),
                (Some(_), Create::New) => Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{p} exists"),
                )),
                (None, Create::No) => Err(not_found(&p)),
                (None, Create::New) => {
                    w.next_ino += 1;
                    let ino = w.next_ino;
                    w.inodes.insert(ino, Inode::new(Vec::new()));
                    w.names.insert(p.clone(), ino);
                    w.dir_pending.push(DirOp::Link(p.clone(), ino));
                    Ok(ino)
                }
            }
        })?;
        Ok(Box::new(SimFile {
            fs: self.clone(),
            ino,
        }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let (f, t) = (name(from), name(to));
        self.op(format!("rename {f} {t}"), true, |w| {
            let ino = w.names.remove(&f).ok_or_else(|| not_found(&f))?;
            w.names.insert(t.clone(), ino);
            w.dir_pending.push(DirOp::Rename(f.clone(), t.clone()));
            Ok(())
        })
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        let p = name(path);
        self.op(format!("remove {p}"), true, |w| {
            w.names.remove(&p).ok_or_else(|| not_found(&p))?;
            w.dir_pending.push(DirOp::Unlink(p.clone()));
            Ok(())
        })
    }

    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        self.op(format!("sync_dir {}", name(path)), true, |w| {
            w.disk_names = w.names.clone();
            w.dir_pending.clear();
            Ok(())
        })
    }

    fn euid(&self) -> Option<u32> {
        Some(UID)
    }
}

#[derive(Debug)]
struct SimFile {
    fs: SimFs,
    ino: u64,
}

impl FsFile for SimFile {
    fn read_all(&mut self) -> io::Result<Vec<u8>> {
        let ino = self.ino;
        self.fs.op(format!("read \u{1}{}", self.ino), false, |w| {
            Ok(w.inodes[&ino].current())
        })
    }

    fn write_at(&mut self, offset: u64, data: &[u8]) -> io::Result<()> {
        let ino = self.ino;
        self.fs.op(
            format!("write \u{1}{} @{offset}+{}", self.ino, data.len()),
            true,
            |w| {
                w.inodes
                    .get_mut(&ino)
                    .expect("open inode")
                    .pending
                    .push(Pending::Write {
                        at: offset,
                        data: data.to_vec(),
                    });
                Ok(())
            },
        )
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        let ino = self.ino;
        self.fs
            .op(format!("set_len \u{1}{} {len}", self.ino), true, |w| {
                w.inodes
                    .get_mut(&ino)
                    .expect("open inode")
                    .pending
                    .push(Pending::SetLen(len));
                Ok(())
            })
    }

    fn sync(&mut self) -> io::Result<()> {
        let ino = self.ino;
        self.fs.op(format!("sync \u{1}{}", self.ino), true, |w| {
            let i = w.inodes.get_mut(&ino).expect("open inode");
            i.durable = i.current();
            i.pending.clear();
            Ok(())
        })
    }

    fn meta(&self) -> io::Result<Meta> {
        let (ino, fs) = (self.ino, self.fs.clone());
        self.fs.op(format!("meta \u{1}{}", self.ino), false, |w| {
            Ok(fs.meta_of(w, ino))
        })
    }

    fn set_perm(&mut self, mode: u32, owner: Option<(u32, u32)>) -> io::Result<()> {
        let ino = self.ino;
        self.fs
            .op(format!("set_perm \u{1}{} {mode:o}", self.ino), false, |w| {
                let i = w.inodes.get_mut(&ino).expect("open inode");
                i.mode = mode;
                if let Some(o) = owner {
                    i.owner = o;
                }
                Ok(())
            })
    }

    fn try_lock(&mut self) -> Result<(), LockError> {
        self.fs
            .op(format!("lock \u{1}{}", self.ino), false, |_| Ok(()))
            .map_err(LockError::Io)
    }
}

/// A small deterministic generator (xorshift64*), for the sampled subsets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// One unsynced unit of a file: a sector of a write, or a truncation.
#[derive(Clone, Copy)]
enum Unit {
    Sector { op: usize, sector: u64 },
    SetLen { op: usize },
}

/// Every content a power cut can leave for this file (with duplicates).
fn file_images(i: &Inode, seed: u64) -> Vec<Vec<u8>> {
    if i.pending.is_empty() {
        return vec![i.durable.clone()];
    }
    let mut units = Vec::new();
    for (op, p) in i.pending.iter().enumerate() {
        match p {
            Pending::Write { at, data } if !data.is_empty() => {
                let end = at + data.len() as u64;
                for sector in at / SECTOR..end.div_ceil(SECTOR) {
                    units.push(Unit::Sector { op, sector });
                }
            }
            Pending::Write { .. } => {}
            Pending::SetLen(_) => units.push(Unit::SetLen { op }),
        }
    }
    let n = units.len();
    let masks: Vec<Vec<bool>> = if n <= EXHAUSTIVE_UNITS {
        (0u32..1 << n)
            .map(|m| (0..n).map(|b| m & (1 << b) != 0).collect())
            .collect()
    } else {
        let mut masks: Vec<Vec<bool>> = (0..=n).map(|k| (0..n).map(|b| b < k).collect()).collect();
        masks.extend((0..n).map(|skip| (0..n).map(|b| b != skip).collect()));
        let mut rng = Rng(seed | 1);
        masks.extend((0..SAMPLED).map(|_| (0..n).map(|_| rng.next() & 1 == 1).collect()));
        masks
    };
    let full_len = i.current().len();
    let mut out = Vec::with_capacity(masks.len() * 2);
    for mask in masks {
        let mut image = i.durable.clone();
        for (u, keep) in units.iter().zip(&mask) {
            if !keep {
                continue;
            }
            match *u {
                Unit::Sector { op, sector } => {
                    let Pending::Write { at, data } = &i.pending[op] else {
                        unreachable!("sector units come from writes")
                    };
                    let lo = (sector * SECTOR).max(*at);
                    let hi = ((sector + 1) * SECTOR).min(at + data.len() as u64);
                    put(
                        &mut image,
                        lo,
                        &data[(lo - at) as usize..(hi - at) as usize],
                    );
                }
                Unit::SetLen { op } => {
                    if let Pending::SetLen(n) = i.pending[op] {
                        image.resize(n as usize, 0);
                    }
                }
            }
        }
        // The length as the file had it, its lost data read as zeros.
        if image.len() < full_len {
            let mut longer = image.clone();
            longer.resize(full_len, 0);
            out.push(longer);
        }
        out.push(image);
    }
    out
}

/// One crash state: (file name, content) pairs, sorted by name.
pub(crate) type Image<'a> = [(&'a str, &'a [u8])];

/// Every state a power cut could leave in `w`, with duplicates (borrowed: the caller
/// copies the ones it keeps).
pub(crate) fn crash_images(w: &World, mut each: impl FnMut(&Image<'_>)) {
    for k in 0..=w.dir_pending.len() {
        let mut names = w.disk_names.clone();
        for op in &w.dir_pending[..k] {
            match op {
                DirOp::Link(n, ino) => {
                    names.insert(n.clone(), *ino);
                }
                DirOp::Unlink(n) => {
                    names.remove(n);
                }
                DirOp::Rename(f, t) => {
                    if let Some(ino) = names.remove(f) {
                        names.insert(t.clone(), ino);
                    }
                }
            }
        }
        let mut files: Vec<(&String, Vec<Vec<u8>>)> = names
            .iter()
            .map(|(n, ino)| (n, file_images(&w.inodes[ino], *ino * 7919 + k as u64)))
            .collect();
        for (_, imgs) in &mut files {
            imgs.sort_unstable();
            imgs.dedup();
        }
        // The cross product of the files' images.
        let mut idx = vec![0usize; files.len()];
        loop {
            let image: Vec<(&str, &[u8])> = files
                .iter()
                .zip(&idx)
                .map(|((n, imgs), &i)| (n.as_str(), imgs[i].as_slice()))
                .collect();
            each(&image);
            let mut d = 0;
            while d < idx.len() {
                idx[d] += 1;
                if idx[d] < files[d].1.len() {
                    break;
                }
                idx[d] = 0;
                d += 1;
            }
            if d == idx.len() {
                break;
            }
        }
    }
}
