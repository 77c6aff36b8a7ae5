//! Allocates, panics and catches the panic: uses Rust's allocator shims and unwinder,
//! the names a second copy of std in the same program would clash on.
use std::panic::catch_unwind;

/// 42 when allocation and unwinding work.
#[no_mangle]
pub extern "C" fn other_rust_staticlib_answer() -> i32 {
    std::panic::set_hook(Box::new(|_| {}));
    let v: Vec<i32> = (0..7).collect();
    let caught = catch_unwind(|| {
        if v.len() == 7 {
            panic!("caught inside other_rust_staticlib");
        }
        0
    });
    let _ = std::panic::take_hook();
    match caught {
        Ok(_) => -1,
        Err(_) => v.iter().sum::<i32>() * 2,
    }
}
