//! `x-request-id` values: `cfrpd-` and 32 hex digits, unique per attempt, never repeated
//! by a forked child, without a system call per attempt.
//!
//! Each thread draws a 128-bit seed from the OS once per process (again after `fork()`:
//! the seed is tagged with the process id the caller passes in) and then numbers its
//! ids: id *n* is the seed's two halves each XORed with *n* and put through
//! SplitMix64's finaliser, a bijection, so one thread never repeats an id, and threads
//! and processes differ by their random seeds. (The previous version asked the OS for
//! 16 random bytes on every attempt: one `getrandom` system call per request.)

use std::cell::Cell;

/// One thread's generator: (process id it was seeded in, seed, ids made).
#[derive(Clone, Copy)]
struct State {
    pid: u32,
    seed: [u64; 2],
    n: u64,
}

thread_local! {
    static STATE: Cell<Option<State>> = const { Cell::new(None) };
}

/// SplitMix64's output function: a bijection of `u64` that mixes every bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn fresh_seed() -> [u64; 2] {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: time, the thread and a counter still make it unique enough
        // to trace.
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let local = 0u8;
        let here = &local as *const u8 as u64;
        bytes[..8].copy_from_slice(&t.to_le_bytes());
        bytes[8..].copy_from_slice(&(here ^ N.fetch_add(1, Ordering::Relaxed)).to_le_bytes());
    }
    let half = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    [half(&bytes[..8]), half(&bytes[8..])]
}

/// A fresh id for an attempt made in process `pid` (the caller's cached process id).
pub(crate) fn next(pid: u32) -> String {
    let state = STATE.with(|s| {
        let st = match s.get() {
            Some(st) if st.pid == pid => State { n: st.n + 1, ..st },
            _ => State {
                pid,
                seed: fresh_seed(),
                n: 0,
            },
        };
        s.set(Some(st));
        st
    });
    let hi = mix(state.seed[0] ^ state.n);
    let lo = mix(state.seed[1] ^ state.n);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(38);
    id.push_str("cfrpd-");
    for b in hi.to_be_bytes().into_iter().chain(lo.to_be_bytes()) {
        id.push(HEX[(b >> 4) as usize] as char);
        id.push(HEX[(b & 15) as usize] as char);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_well_formed_and_do_not_repeat() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let id = next(1);
            assert_eq!(id.len(), 38);
            assert!(id.starts_with("cfrpd-"));
            assert!(id[6..]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            assert!(seen.insert(id));
        }
        // Another thread draws its own seed.
        let other = std::thread::spawn(|| next(1)).join().unwrap();
        assert!(seen.insert(other));
    }

    #[test]
    fn a_new_process_id_reseeds() {
        let a = next(7);
        let before = STATE.with(Cell::get).unwrap();
        let b = next(8);
        let after = STATE.with(Cell::get).unwrap();
        assert_ne!(a, b);
        assert_eq!(after.n, 0);
        assert_ne!(before.seed, after.seed);
    }
}
