//! build::erlc from the command line, for trying it on a source tree and timing it:
//!
//! ```text
//! cargo run --release -p kazoo-release --example erlc -- --out /tmp/out --jobs 2 \
//!     --app-vsn bear=0.8.2 --app-src amqp_client=/tmp/amqp_client.app.src \
//!     --lib-flag core=+debug_info --drop -Werror  ../shared/kazoo-src/deps ../shared/kazoo-src/core
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use kazoo_release::build::erlc::Build;

fn main() -> ExitCode {
    let mut build = Build::new();
    let mut lib_dirs: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        build = match arg.as_str() {
            "--out" => build.out_dir(value()),
            "--jobs" => build.jobs(value().parse().unwrap_or(1)),
            "--drop" => build.drop_option(value()),
            "--app-vsn" | "--app-src" | "--lib-flag" | "--app-flag" => {
                let pair = value();
                let (key, value) = pair.split_once('=').unwrap_or((&pair, ""));
                match arg.as_str() {
                    "--app-vsn" => build.app_vsn(key, value),
                    "--app-src" => build.app_src(key, value),
                    "--app-flag" => build.app_options(key, [value]),
                    _ => {
                        let dir = lib_dirs.iter().find(|d| d.ends_with(key)).cloned().unwrap_or_else(|| key.into());
                        build.lib_dir_options(dir, [value])
                    }
                }
            }
            dir => {
                lib_dirs.push(dir.into());
                build.lib_dir(dir)
            }
        };
    }
    let started = Instant::now();
    match build.compile() {
        Ok(compiled) => {
            println!(
                "{} applications, {} modules compiled, {} up to date, {} warnings, in {:.2} s",
                compiled.apps.len(),
                compiled.modules_compiled,
                compiled.modules_up_to_date,
                compiled.warnings.len(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}\n(after {:.2} s)", started.elapsed().as_secs_f64());
            ExitCode::FAILURE
        }
    }
}
