//! What a release's operators see by name: its environment variables, its config dir, where
//! its cookie comes from, its helper nodes' names. The release's binary hands one
//! [`Conventions`] value to [`cli::main_with`](crate::cli::main_with); [`cli::main`](crate::cli::main)
//! takes the defaults, made from the release name, so that a release `hello` reads
//! `HELLO_COOKIE`, `HELLO_PROFILE`, `HELLO_REL_DIR`, `HELLO_CONFIG_DIR` and `/etc/hello`.
//!
//! ```
//! use kazoo_release::conventions::{Conventions, CookieSource, DefaultCookie};
//!
//! let kazoo = Conventions {
//!     config_dir: Some("/etc/kazoo".into()),
//!     cookie_sources: vec![CookieSource::ConfigIni, CookieSource::HomeFile],
//!     default_cookie: DefaultCookie::WellKnown("change_me".into()),
//!     ..Conventions::default()
//! }
//! .resolve("kazoo");
//! assert_eq!(kazoo.var("COOKIE"), "KAZOO_COOKIE");
//! assert_eq!(Conventions::default().resolve("hello").var("REL_DIR"), "HELLO_REL_DIR");
//! ```

use std::path::PathBuf;

/// A release's names, as its binary declares them; `None` takes the default.
#[derive(Debug, Clone, Default)]
pub struct Conventions {
    /// The prefix of the release's environment variables (`HELLO` → `HELLO_COOKIE`);
    /// default: the release name upper-cased.
    pub env_prefix: Option<String>,
    /// The operator's config dir (`core/<node>.vm.args`, `core/<node>.sys.config`,
    /// `app.config`, `cookie`); `<PREFIX>_CONFIG_DIR` moves it; default `/etc/<name>`.
    pub config_dir: Option<PathBuf>,
    /// Where the cookie comes from after `--cookie` and `<PREFIX>_COOKIE`, in order;
    /// default: the config dir's `cookie` file, then `~/.erlang.cookie`.
    pub cookie_sources: Vec<CookieSource>,
    /// The cookie when no source gives one.
    pub default_cookie: DefaultCookie,
    /// The prefix of the hidden nodes kazoo-release runs (`<prefix>_ctl_*`,
    /// `<prefix>_remsh_*`); default: the release name.
    pub helper_prefix: Option<String>,
}

/// One place a cookie may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CookieSource {
    /// `<config dir>/cookie`, a file of the operator's.
    ConfigDirFile,
    /// `~/.erlang.cookie`, as Erlang itself reads it.
    HomeFile,
    /// Kazoo's config.ini (see [`crate::config_ini`]): the node type's section, else
    /// `[kazoo_apps]`'s. Also makes `read-release-cookie` a command of the release.
    ConfigIni,
}

/// The cookie when no source gives one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DefaultCookie {
    /// A random cookie made when the release tree is first written, kept in the tree in
    /// `releases/COOKIE`, which only its owner may read (as mix releases do).
    #[default]
    Generated,
    /// A cookie everyone knows (Kazoo's `change_me`): used with a warning on stderr.
    WellKnown(String),
}

/// The conventions of one release, every default filled in.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub release: String,
    pub env_prefix: String,
    config_dir: PathBuf,
    pub cookie_sources: Vec<CookieSource>,
    pub default_cookie: DefaultCookie,
    pub helper_prefix: String,
}

impl Conventions {
    /// The defaults filled in for release `release`.
    pub fn resolve(self, release: &str) -> Resolved {
        let cookie_sources = match self.cookie_sources.is_empty() {
            true => vec![CookieSource::ConfigDirFile, CookieSource::HomeFile],
            false => self.cookie_sources,
        };
        Resolved {
            release: release.to_owned(),
            env_prefix: self.env_prefix.unwrap_or_else(|| release.to_uppercase()),
            config_dir: self.config_dir.unwrap_or_else(|| PathBuf::from("/etc").join(release)),
            cookie_sources,
            default_cookie: self.default_cookie,
            helper_prefix: self.helper_prefix.unwrap_or_else(|| release.to_owned()),
        }
    }
}

impl Resolved {
    /// The release's variable `<PREFIX>_<what>`.
    pub fn var(&self, what: &str) -> String {
        format!("{}_{what}", self.env_prefix)
    }

    /// The operator's config dir: `<PREFIX>_CONFIG_DIR`, else the declared one.
    pub fn config_dir(&self) -> PathBuf {
        std::env::var_os(self.var("CONFIG_DIR"))
            .filter(|d| !d.is_empty())
            .map_or_else(|| self.config_dir.clone(), PathBuf::from)
    }

    /// Whether the release reads Kazoo's config.ini.
    pub fn reads_config_ini(&self) -> bool {
        self.cookie_sources.contains(&CookieSource::ConfigIni)
    }

    /// The cookie sources in order, as help and messages say them.
    pub fn describe_cookie_sources(&self) -> String {
        let mut said = vec![format!("${}", self.var("COOKIE"))];
        said.extend(self.cookie_sources.iter().map(|source| match source {
            CookieSource::ConfigDirFile => format!("{}/cookie", self.config_dir.display()),
            CookieSource::HomeFile => "~/.erlang.cookie".to_owned(),
            CookieSource::ConfigIni => "the node type's config.ini section".to_owned(),
        }));
        said.push(match &self.default_cookie {
            DefaultCookie::Generated => "the release's own releases/COOKIE".to_owned(),
            DefaultCookie::WellKnown(cookie) => cookie.clone(),
        });
        said.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_release_name() {
        let hello = Conventions::default().resolve("hello");
        assert_eq!((hello.var("COOKIE"), hello.config_dir()), ("HELLO_COOKIE".to_owned(), PathBuf::from("/etc/hello")));
        assert_eq!(hello.helper_prefix, "hello");
        assert_eq!(hello.default_cookie, DefaultCookie::Generated);
        assert_eq!(
            hello.describe_cookie_sources(),
            "$HELLO_COOKIE, /etc/hello/cookie, ~/.erlang.cookie, the release's own releases/COOKIE"
        );
        assert!(!hello.reads_config_ini());
    }
}
