//! `kazoo`: Kazoo's release binary. `cargo run -- start ecallmgr` at the workspace root.

use kazoo_release::conventions::{Conventions, CookieSource, DefaultCookie, IniSource, OperatorFile};

fn main() -> std::process::ExitCode {
    kazoo_release::cli::main_with(kazoo_release::embedded!(), kazoo())
}

/// Kazoo's names: `KAZOO_*` variables, /etc/kazoo, the cookie from `KAZOO_COOKIE`, then
/// config.ini as Kazoo's own scripts read it (`$KAZOO_CONFIG`, else /etc/kazoo/config.ini,
/// else /etc/kazoo/core/config.ini; the node type's section, else `[kazoo_apps]`; the zone
/// from `KAZOO_ZONE`), then `~/.erlang.cookie`, then Kazoo's well-known `change_me`, with a
/// warning. The Debian package installs a config.ini with no cookie filled in.
fn kazoo() -> Conventions {
    Conventions {
        env_prefix: Some("KAZOO".into()),
        config_dir: Some("/etc/kazoo".into()),
        cookie_sources: vec![CookieSource::ConfigIni, CookieSource::HomeFile],
        config_ini: IniSource {
            file_var: Some("KAZOO_CONFIG".into()),
            files: vec!["/etc/kazoo/config.ini".into(), "/etc/kazoo/core/config.ini".into()],
            zone_var: Some("KAZOO_ZONE".into()),
            fallback_section: Some("kazoo_apps".into()),
        },
        default_cookie: DefaultCookie::WellKnown("change_me".into()),
        operator_files: vec![OperatorFile {
            path: "config.ini".into(),
            text: include_str!("../etc/config.ini").into(),
        }],
        ..Conventions::default()
    }
}
