//! kazoo_release::xref from the command line, for timing it against OTP's xref on the same
//! directories (scripts/bench-xref.sh): one node type made of every `ebin` given, each
//! directory an application named by its parent.
//!
//! ```text
//! cargo run --release -p kazoo-release --example xref -- /usr/lib/erlang/lib/*/ebin
//! ```
//!
//! Prints `modules=N undefined=M seconds=S`: the modules read, the functions called that none
//! of them defines (what `xref:analyze(_, undefined_functions)` counts), the seconds reading
//! and checking took.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use kazoo_release::apps::{AppIndex, OtpInstall, OtpSearch};
use kazoo_release::xref::{App, Ignore, Library, Preloaded};

fn main() -> ExitCode {
    let ebins: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let started = Instant::now();
    match check(&ebins) {
        Ok((modules, undefined)) => {
            println!("modules={modules} undefined={undefined} seconds={:.3}", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check(ebins: &[PathBuf]) -> Result<(usize, usize), Box<dyn std::error::Error>> {
    let otp =
        OtpInstall::detect(&OtpSearch { erl_root: std::env::var_os("ERL_ROOT"), path: std::env::var_os("PATH") })?;
    let apps: Vec<App> = ebins
        .iter()
        .map(|ebin| {
            let name = ebin.parent().and_then(|p| p.file_name()).unwrap_or_default().to_string_lossy().into_owned();
            App { name, ebin: ebin.clone(), deps: vec![], otp: true }
        })
        .collect();
    let index = AppIndex::scan(&[], &otp)?;
    let library = Library::read(ebins.iter().map(PathBuf::as_path), Preloaded::of_otp(&otp)?, &index)?;
    let report = library.check("all", &apps, &Ignore::default());
    Ok((report.modules, report.undefined_functions().len()))
}
