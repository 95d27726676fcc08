//! What a release's operators see by name: its environment variables, its config dir, where
//! its cookie comes from, its helper nodes' names. The release's binary hands one
//! [`Conventions`] value to [`cli::main_with`](crate::cli::main_with); [`cli::main`](crate::cli::main)
//! takes the defaults, made from the release name, so that a release `hello` reads
//! `HELLO_COOKIE`, `HELLO_PROFILE`, `HELLO_REL_DIR`, `HELLO_CONFIG_DIR` and `/etc/hello`.
//!
//! ```
//! use kazoo_release::conventions::{Conventions, CookieSource, DefaultCookie, IniSource};
//!
//! let shop = Conventions {
//!     config_dir: Some("/etc/shop".into()),
//!     cookie_sources: vec![CookieSource::ConfigIni, CookieSource::HomeFile],
//!     config_ini: IniSource { fallback_section: Some("common".into()), ..IniSource::default() },
//!     default_cookie: DefaultCookie::WellKnown("open_sesame".into()),
//!     ..Conventions::default()
//! }
//! .resolve("shop");
//! assert_eq!(shop.var("COOKIE"), "SHOP_COOKIE");
//! let ini = shop.config_ini(&shop.config_dir(None));
//! assert_eq!((ini.file_var.as_str(), ini.files[0].to_str()), ("SHOP_CONFIG", Some("/etc/shop/config.ini")));
//! assert_eq!(Conventions::default().resolve("hello").var("REL_DIR"), "HELLO_REL_DIR");
//! ```

use std::path::{Path, PathBuf};

use crate::config_ini;

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
    /// config.ini's file, variables and fallback section, when `cookie_sources` has
    /// [`CookieSource::ConfigIni`].
    pub config_ini: IniSource,
    /// The files the Debian package puts in the config dir for the operator to fill in
    /// (its conffiles); default none.
    pub operator_files: Vec<OperatorFile>,
    /// The package's maintainer (`Name <email>`), when `DEBFULLNAME` and `DEBEMAIL` are not
    /// set on the build machine.
    pub maintainer: Option<String>,
}

/// A file of the operator's config dir, as the package first installs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorFile {
    /// Relative to the config dir: `config.ini`.
    pub path: String,
    pub text: String,
}

/// config.ini as a cookie source; `None` (or no files) takes the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IniSource {
    /// The variable naming the one file to read; default `<PREFIX>_CONFIG`.
    pub file_var: Option<String>,
    /// The files searched, first existing first, when that variable is unset; default
    /// `<config dir>/config.ini`.
    pub files: Vec<PathBuf>,
    /// The variable giving the node's zone; default `<PREFIX>_ZONE`.
    pub zone_var: Option<String>,
    /// The section a node type's cookie falls back to when its own gives none; default none.
    pub fallback_section: Option<String>,
}

/// One place a cookie may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CookieSource {
    /// `<config dir>/cookie`, a file of the operator's.
    ConfigDirFile,
    /// `~/.erlang.cookie`, as Erlang itself reads it.
    HomeFile,
    /// config.ini (see [`crate::config_ini`]): the node type's section, else the fallback
    /// section's ([`IniSource`]). Also makes `read-release-cookie` a command of the release.
    ConfigIni,
}

/// The cookie when no source gives one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DefaultCookie {
    /// A random cookie made when the release tree is first written, kept in the tree in
    /// `releases/COOKIE`, which only its owner may read (as mix releases do).
    #[default]
    Generated,
    /// A cookie everyone knows: used with a warning on stderr.
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
    config_ini: IniSource,
    pub operator_files: Vec<OperatorFile>,
    pub maintainer: Option<String>,
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
            config_ini: self.config_ini,
            operator_files: self.operator_files,
            maintainer: self.maintainer,
        }
    }
}

impl Resolved {
    /// The release's variable `<PREFIX>_<what>`.
    pub fn var(&self, what: &str) -> String {
        format!("{}_{what}", self.env_prefix)
    }

    /// The operator's config dir: `given` (the value of `<PREFIX>_CONFIG_DIR`), else the
    /// declared one.
    pub fn config_dir(&self, given: Option<&Path>) -> PathBuf {
        given.unwrap_or(&self.config_dir).to_owned()
    }

    /// config.ini's names, its default file in `config_dir` (the operator's config dir).
    pub fn config_ini(&self, config_dir: &Path) -> config_ini::Names {
        let ini = &self.config_ini;
        let files = match ini.files.is_empty() {
            true => vec![config_dir.join("config.ini")],
            false => ini.files.clone(),
        };
        config_ini::Names {
            file_var: ini.file_var.clone().unwrap_or_else(|| self.var("CONFIG")),
            files,
            zone_var: ini.zone_var.clone().unwrap_or_else(|| self.var("ZONE")),
            fallback_section: ini.fallback_section.clone(),
            cookie_var: self.var("COOKIE"),
        }
    }

    /// Whether the release reads config.ini.
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
        assert_eq!(
            (hello.var("COOKIE"), hello.config_dir(None)),
            ("HELLO_COOKIE".to_owned(), PathBuf::from("/etc/hello"))
        );
        assert_eq!(hello.config_dir(Some(Path::new("/srv/etc"))), PathBuf::from("/srv/etc"));
        let ini = hello.config_ini(Path::new("/srv/etc"));
        assert_eq!(
            (ini.file_var.as_str(), ini.zone_var.as_str(), ini.cookie_var.as_str()),
            ("HELLO_CONFIG", "HELLO_ZONE", "HELLO_COOKIE")
        );
        assert_eq!((ini.files, ini.fallback_section), (vec![PathBuf::from("/srv/etc/config.ini")], None));
        assert_eq!(hello.helper_prefix, "hello");
        assert_eq!(hello.default_cookie, DefaultCookie::Generated);
        assert_eq!(
            hello.describe_cookie_sources(),
            "$HELLO_COOKIE, /etc/hello/cookie, ~/.erlang.cookie, the release's own releases/COOKIE"
        );
        assert!(!hello.reads_config_ini());
    }
}
