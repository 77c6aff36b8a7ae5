//! Gives the C shared library a SONAME (Linux and other ELF systems), so programs record
//! `libcashfree_rpd.so.0` and keep working across compatible upgrades. `make install`
//! installs `libcashfree_rpd.so.<version>` with the `.so.0` and `.so` links. The 0 is the
//! ABI major: bump it (here, in the Makefile's ABI_MAJOR and in
//! cmake/cashfree_rpdConfig.cmake.in) on an incompatible change of the C ABI.
//! Nothing else happens here (cbindgen is run by `make header`, never by the build).
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    if family == "unix" && os != "macos" && os != "ios" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcashfree_rpd.so.0");
    }
}
