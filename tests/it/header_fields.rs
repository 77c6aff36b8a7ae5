//! The C++ wrapper (`include/cashfree_rpd.hpp`) copies every field of the C structs it
//! wraps: a field added to `cfrpd_status`, `cfrpd_error` or `cfrpd_request` (in the
//! generated `include/cashfree_rpd.h`) and forgotten in the `.hpp` fails here.

use crate::common::cheader;

/// The text of the `.hpp` function whose signature line contains `signature`, up to the
/// next line that is a lone `}` at the same indentation or less.
fn function<'a>(hpp: &'a str, signature: &str) -> &'a str {
    let start = hpp
        .find(signature)
        .unwrap_or_else(|| panic!("no {signature:?} in include/cashfree_rpd.hpp"));
    let rest = &hpp[start..];
    let end = rest
        .find("\n}\n")
        .or_else(|| rest.find("\n    }\n"))
        .unwrap();
    &rest[..end]
}

#[test]
fn the_cpp_wrapper_copies_every_c_field() {
    let root = env!("CARGO_MANIFEST_DIR");
    let h = cheader::read();
    let hpp = std::fs::read_to_string(format!("{root}/include/cashfree_rpd.hpp")).unwrap();
    // (C struct, the .hpp code that copies it, how that code reads a field)
    let copies = [
        (
            "cfrpd_status",
            "inline Status to_status(const cfrpd_status &s)",
            "s.",
        ),
        (
            "cfrpd_request",
            "inline Request to_request(const cfrpd_request &r)",
            "r.",
        ),
        (
            "cfrpd_error",
            "static Error make(cfrpd_result code, cfrpd_error *raw",
            "e->",
        ),
    ];
    let mut missing = Vec::new();
    for (name, signature, access) in copies {
        let body = function(&hpp, signature);
        for field in h.struct_fields(name) {
            // The error's code arrives as the `code` argument (the same value).
            if name == "cfrpd_error" && field == "code" {
                continue;
            }
            let used = format!("{access}{field}");
            let found = body.match_indices(&used).any(|(i, _)| {
                !body[i + used.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if !found {
                missing.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "include/cashfree_rpd.hpp does not copy: {missing:?}"
    );
}
