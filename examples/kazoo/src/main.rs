//! `kazoo`: Kazoo's release binary. `cargo run -- start ecallmgr` at the workspace root.

use kazoo_release::conventions::{Conventions, CookieSource, DefaultCookie};

fn main() -> std::process::ExitCode {
    kazoo_release::cli::main_with(kazoo_release::embedded!(), kazoo())
}

/// Kazoo's names: `KAZOO_*` variables, /etc/kazoo, the cookie from `KAZOO_COOKIE`, then
/// config.ini (the node type's section, else `[kazoo_apps]`), then `~/.erlang.cookie`, then
/// Kazoo's well-known `change_me`, with a warning.
fn kazoo() -> Conventions {
    Conventions {
        config_dir: Some("/etc/kazoo".into()),
        cookie_sources: vec![CookieSource::ConfigIni, CookieSource::HomeFile],
        default_cookie: DefaultCookie::WellKnown("change_me".into()),
        ..Conventions::default()
    }
}
