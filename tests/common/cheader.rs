//! The one reader of `include/cashfree_rpd.h` (as cbindgen writes it) for the Rust
//! tests: its `#define` macros, typedefs, structs with their fields, and functions with
//! their prototypes. `scripts/cheader.py` is the Python scripts' reader (the name checks
//! and the man pages); nothing else parses the header.
//!
//! Also compiled into the library's unit tests (`src/status_fields.rs`, `#[path]`), so it
//! uses nothing from the other test modules.
#![allow(dead_code)]

use std::path::Path;

/// What the header declares, in the header's order.
pub struct Header {
    /// `#define NAME VALUE` as (name, value); macros without a value (the include
    /// guard) are left out.
    pub macros: Vec<(String, String)>,
    /// Every `typedef` that is not a struct definition, one line, without the `;`.
    pub typedefs: Vec<String>,
    /// (struct name, [(field declaration, field name)]) of `typedef struct NAME { ... } NAME;`.
    pub structs: Vec<(String, Vec<(String, String)>)>,
    /// (function name, prototype on one line ending in `;`).
    pub functions: Vec<(String, String)>,
}

impl Header {
    /// The value of `#define name VALUE`.
    pub fn macro_value(&self, name: &str) -> Option<&str> {
        self.macros
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field names of struct `name`, in declaration order; panics when there is none.
    pub fn struct_fields(&self, name: &str) -> Vec<String> {
        let (_, fields) = self
            .structs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no struct {name} in the header"));
        assert!(!fields.is_empty(), "no fields found in {name}");
        fields.iter().map(|(_, f)| f.clone()).collect()
    }

    /// The names of the functions, in the header's order.
    pub fn function_names(&self) -> Vec<String> {
        self.functions.iter().map(|(n, _)| n.clone()).collect()
    }
}

/// The header of this checkout, parsed and checked for plausibility (a parser that
/// finds nothing must not make the tests that use it pass).
pub fn read() -> Header {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/cashfree_rpd.h");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let header = parse(&text);
    assert!(header.functions.len() >= 20, "parsed too few functions");
    assert!(
        header.structs.iter().all(|(_, f)| !f.is_empty()),
        "a struct without fields"
    );
    header
}

/// Parses the text of a header written by cbindgen.
pub fn parse(text: &str) -> Header {
    let text = strip_comments(text);
    let mut macros = Vec::new();
    let mut body = String::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(def) = t.strip_prefix("#define ") {
            let mut parts = def.splitn(2, char::is_whitespace);
            let name = parts.next().unwrap();
            let value = parts.next().unwrap_or("").trim();
            if !value.is_empty() {
                macros.push((name.to_string(), value.to_string()));
            }
        } else if t.starts_with('#') || t == "extern \"C\" {" || t == "}" {
            continue;
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    let last_word = |s: &str| -> String {
        let s = s.split('[').next().unwrap();
        s.rsplit([' ', '*']).next().unwrap().to_string()
    };
    let (mut typedefs, mut structs, mut functions) = (Vec::new(), Vec::new(), Vec::new());
    let mut rest = body.as_str();
    while let Some(semi) = rest.find(';') {
        match rest.find('{') {
            Some(open) if open < semi => {
                // typedef struct NAME { fields } NAME;
                let close = rest[open..].find('}').expect("unclosed struct") + open;
                let name = squash(&rest[..open])
                    .trim_start_matches("typedef struct")
                    .trim()
                    .to_string();
                let fields = rest[open + 1..close]
                    .split(';')
                    .map(squash)
                    .filter(|f| !f.is_empty())
                    .map(|f| {
                        let n = last_word(&f);
                        (f, n)
                    })
                    .collect();
                structs.push((name, fields));
                let end = rest[close..].find(';').expect("struct without ;") + close;
                rest = &rest[end + 1..];
            }
            _ => {
                let decl = squash(&rest[..semi]);
                rest = &rest[semi + 1..];
                if decl.is_empty() {
                    continue;
                }
                if decl.starts_with("typedef ") {
                    typedefs.push(decl);
                } else if let Some(paren) = decl.find('(') {
                    functions.push((last_word(&decl[..paren]), format!("{decl};")));
                } else {
                    panic!("unexpected declaration in the header: {decl:?}");
                }
            }
        }
    }
    Header {
        macros,
        typedefs,
        structs,
        functions,
    }
}

/// The header without comments, one logical declaration per item.
fn strip_comments(src: &str) -> String {
    let mut out = String::new();
    let mut rest = src;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b + 2..].find("*/").expect("unterminated comment") + b + 4;
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |n| &rest[l + n..]);
            }
            (None, None) => {
                out.push_str(rest);
                break;
            }
            (Some(_), None) => unreachable!(),
        }
    }
    out
}

fn squash(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace("( ", "(").replace(" )", ")").replace(" ,", ",")
}
