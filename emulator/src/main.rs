//! `cashfree-rpd-emulator` binary: see `--help`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(cashfree_rpd_emulator::run_cli(args));
}
