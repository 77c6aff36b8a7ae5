//! The whole Reverse Penny Drop flow in one program.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! - Without credentials it starts the local emulator in-process, creates a request,
//!   shows the UPI link and QR code, simulates the customer paying ₹1, waits for the
//!   result and prints the verified bank account.
//! - With `CASHFREE_CLIENT_ID` and `CASHFREE_CLIENT_SECRET` set (and optionally
//!   `CASHFREE_ENV`, `CASHFREE_BASE_URL`, `CASHFREE_PUBLIC_KEY`) it talks to Cashfree
//!   (the sandbox by default) and waits for you to pay from a UPI app. With only one of
//!   the two set it stops and says which one is missing.
//!
//! The QR code is drawn with Unicode half blocks, in black on white ANSI colours when
//! stdout is a terminal and as plain text otherwise (a file, a pipe).
//!
//! Optional: `RPD_NAME` (expected account holder name), `RPD_VERIFICATION_ID`,
//! `CFRPD_JOURNAL` (a create journal file: creates survive a crash, and at start the
//! program resumes what a killed run left; README, "Surviving a crash").

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cashfree_rpd::qr::QrCode;
use cashfree_rpd::{Client, Config, Status, WaitOptions};
use cashfree_rpd_emulator::{Emulator, PayOutcome};

/// Resumes what a crashed run left in the journal: settles each open entry (a terminal
/// would show a CREATED entry's QR again and wait: README, "Surviving a crash").
fn resume(client: &Client) -> Result<(), String> {
    for entry in client.journal_pending().map_err(|e| e.to_string())? {
        let outcome = match client.journal_resolve(&entry.verification_id) {
            Ok(status) => status.status.as_str().to_owned(),
            Err(e) => e.to_string(),
        };
        println!(
            "journal: {} was {}: {outcome}",
            entry.verification_id,
            entry.state.name()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let live = match (set("CASHFREE_CLIENT_ID"), set("CASHFREE_CLIENT_SECRET")) {
        (true, true) => true,
        (false, false) => false,
        (id, _) => {
            let (given, missing) = if id {
                ("CASHFREE_CLIENT_ID", "CASHFREE_CLIENT_SECRET")
            } else {
                ("CASHFREE_CLIENT_SECRET", "CASHFREE_CLIENT_ID")
            };
            return Err(format!(
                "{given} is set but {missing} is not: set both to use Cashfree, \
                 or neither to use the built-in emulator"
            ));
        }
    };

    // 1. Configure a client: from the environment, or pointed at a local emulator.
    let mut emulator = None;
    let config = if live {
        let config = Config::from_env().map_err(|e| e.to_string())?;
        println!("Using Cashfree at {}", config.effective_base_url());
        config
    } else {
        let emu =
            Emulator::start_default().map_err(|e| format!("cannot start the emulator: {e}"))?;
        println!(
            "No CASHFREE_CLIENT_ID/CASHFREE_CLIENT_SECRET set: using the built-in emulator at {}",
            emu.base_url()
        );
        let mut config = Config::new(
            cashfree_rpd_emulator::TEST_CLIENT_ID,
            cashfree_rpd_emulator::TEST_CLIENT_SECRET,
        )
        .map_err(|e| e.to_string())?;
        config
            .set_base_url(&emu.base_url())
            .map_err(|e| e.to_string())?;
        emulator = Some(emu);
        config
    };
    let mut config = config;
    let journal = std::env::var_os("CFRPD_JOURNAL").filter(|v| !v.is_empty());
    if let Some(path) = &journal {
        config.set_journal_path(path);
    }
    let client = Client::new(&config).map_err(|e| e.to_string())?;
    if journal.is_some() {
        resume(&client)?;
    }

    // 2. Create a verification request (costs the merchant money: one per customer).
    let id = std::env::var("RPD_VERIFICATION_ID").unwrap_or_else(|_| unique_id());
    let name = std::env::var("RPD_NAME").unwrap_or_else(|_| "John Doe".to_owned());
    let request = client.create(&id, &name).map_err(|e| {
        if e.is_ambiguous() {
            format!("{e}\n(look it up with: cargo run -p cashfree-rpd-cli -- status --id {id})")
        } else {
            e.to_string()
        }
    })?;
    println!(
        "\nCreated verification {} (ref_id {})",
        request.verification_id, request.ref_id
    );
    println!(
        "Valid until: {}",
        request.valid_upto.as_deref().unwrap_or("(not given)")
    );
    println!("UPI link:    {}", request.upi_link);
    for (app, link) in [
        ("Google Pay", &request.gpay),
        ("PhonePe", &request.phonepe),
        ("Paytm", &request.paytm),
        ("BHIM", &request.bhim),
    ] {
        if let Some(link) = link {
            println!("{app:<11}  {link}");
        }
    }
    if let Some(png) = request.qr_png() {
        println!(
            "QR code PNG: {} bytes (scan the code below with any UPI app)",
            png.len()
        );
    }
    match QrCode::encode(&request.upi_link) {
        // Colours only for a terminal: in a file or a pipe they are noise.
        Ok(qr) if std::io::stdout().is_terminal() => println!("{}", qr.to_unicode_ansi()),
        Ok(qr) => println!("{}", qr.to_unicode()),
        Err(e) => println!("(no QR code: {e})"),
    }

    // 3. The customer pays ₹1. Against the emulator we simulate it.
    if let Some(emu) = &emulator {
        println!("Simulating the customer paying ₹1 from their UPI app...");
        emu.pay(
            &id,
            PayOutcome {
                success: true,
                payer_name: name.to_uppercase(),
            },
        )?;
    } else {
        println!(
            "Pay ₹1 to the link or QR code above from any UPI app; waiting up to 10 minutes..."
        );
    }

    // 4. Wait for the result, printing each poll.
    let poll = if emulator.is_some() {
        Duration::from_millis(500)
    } else {
        Duration::from_secs(3)
    };
    let options = WaitOptions::new(Duration::from_secs(600)).poll_interval(poll);
    let status = client
        .wait_for_result(&id, &options, |latest| {
            println!("  status: {}", latest.status_raw.as_deref().unwrap_or("?"));
            true
        })
        .map_err(|e| e.to_string())?;
    print_outcome(&status);
    Ok(())
}

fn print_outcome(status: &Status) {
    let field = |v: &Option<String>| {
        v.clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "-".into())
    };
    println!("\nResult: {}", field(&status.status_raw));
    println!("  bank account : {}", field(&status.bank_account));
    println!("  IFSC         : {}", field(&status.ifsc));
    println!("  UPI id       : {}", field(&status.upi));
    println!("  name at bank : {}", field(&status.name_at_bank));
    println!(
        "  name match   : {} (score {})",
        field(&status.name_match_result),
        field(&status.name_match_score)
    );
}

fn unique_id() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("quickstart-{ms}-{}", std::process::id())
}
