//! A client used on both sides of `fork()` (pre-fork servers and POS apps that fork a
//! worker per sale): the child never uses a connection its parent opened, so no reply
//! crosses over; the parent is unaffected. The same is checked from C in
//! tests/c/fork_test.c (plain, ASan, valgrind).
#![cfg(target_os = "linux")]

mod common;

use std::time::Duration;

use cashfree_rpd::{Client, VerificationStatus};
use common::{fresh_id, start};

/// Reads `id` `calls` times from 4 threads; returns the failures (with reasons).
fn readers(client: &Client, id: &str, calls: usize) -> Vec<String> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut bad = Vec::new();
                    for _ in 0..calls / 4 {
                        match client.status(id) {
                            Ok(st)
                                if st.verification_id.as_deref() == Some(id)
                                    && st.status == VerificationStatus::Created => {}
                            Ok(st) => bad.push(format!("answer for {:?}", st.verification_id)),
                            Err(e) => bad.push(e.to_string()),
                        }
                    }
                    bad
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

#[test]
fn parent_and_child_never_see_each_others_replies() {
    let env = start();
    let (mine, theirs) = (fresh_id("fork-parent"), fresh_id("fork-child"));
    env.client.create(&mine, "Jane Doe").unwrap();
    env.client.create(&theirs, "John Doe").unwrap();
    env.client.status(&mine).unwrap(); // a kept-alive connection is now pooled
    let before = env.emu.stats();

    // SAFETY: the child only uses the client and then _exits; the test harness's other
    // threads are idle.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let bad = readers(&env.client, &theirs, 240);
        for b in &bad {
            eprintln!("child: {b}");
        }
        // SAFETY: in the forked child: _exit ends it without running the parent's atexit handlers or destructors.
        unsafe { libc::_exit(if bad.is_empty() { 0 } else { 1 }) };
    }
    let bad = readers(&env.client, &mine, 240);
    let mut status = 0;
    // SAFETY: `pid` is the child forked above and `status` a writable int.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(bad.is_empty(), "parent: {bad:?}");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child saw failed or foreign replies (status {status})"
    );
    let after = env.emu.stats();
    assert_eq!(after.status_received - before.status_received, 480);
    assert!(
        after.connections_accepted > before.connections_accepted,
        "the child opened its own connections"
    );
    // The parent's pool still works after the child exited.
    let s = env.client.status(&mine).unwrap();
    assert_eq!(s.verification_id.as_deref(), Some(mine.as_str()));
    std::thread::sleep(Duration::from_millis(10));
}
