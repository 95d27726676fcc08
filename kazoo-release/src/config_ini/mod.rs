//! Kazoo's config.ini: which file, which of its repeated sections apply to this node, and
//! the node type's cookie, read exactly as Kazoo's `kazoo_config` reads them.
//!
//! `kazoo read-release-cookie` and node start both call [`release_cookie`] (or its file
//! step, [`file_cookie`]), so the tools and the node can never disagree about the cookie.
//!
//! ```
//! use kazoo_release::config_ini::{ConfigIni, Here};
//!
//! let ini = ConfigIni::parse("config.ini", "[kazoo_apps]\ncookie = \"change_me\"\n")?;
//! let here = Here { hostname: "kazoo1".into(), zone: "local".into() };
//! assert_eq!(ini.cookie("ecallmgr", &here)?.value(), "change_me");
//! # Ok::<(), kazoo_release::config_ini::ConfigIniError>(())
//! ```
//!
//! # The node's zone
//!
//! kz_config takes the zone from `KAZOO_ZONE`, else from the `zone` key of the node type's
//! section that applies, else `local`. Only a section chosen by `host` can give it here:
//! choosing a zone section needs the zone first (kz_config itself recurses forever on such
//! a file), so a file whose node sections are tagged only by `zone` needs `KAZOO_ZONE`.

mod error;
mod parse;
mod select;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use ini::Ini;

pub use error::ConfigIniError;
pub use select::{Here, Section};

/// The environment variable naming the one config file to read.
pub const KAZOO_CONFIG: &str = "KAZOO_CONFIG";
/// The environment variable whose cookie overrides config.ini.
pub const KAZOO_COOKIE: &str = "KAZOO_COOKIE";
/// The environment variable giving the node's zone.
pub const KAZOO_ZONE: &str = "KAZOO_ZONE";
/// Where Kazoo looks when `KAZOO_CONFIG` is not set, first existing file first.
pub const DEFAULT_FILES: [&str; 2] = ["/etc/kazoo/config.ini", "/etc/kazoo/core/config.ini"];
/// The section every node type falls back to for its cookie.
pub const APPS_SECTION: &str = "kazoo_apps";
/// kz_config's zone when nothing names one.
pub const DEFAULT_ZONE: &str = "local";

/// The file Kazoo reads: `kazoo_config` (the value of `KAZOO_CONFIG`) alone when given,
/// else the first of [`DEFAULT_FILES`] that exists.
pub fn find(kazoo_config: Option<&Path>) -> Result<PathBuf, ConfigIniError> {
    if let Some(path) = kazoo_config {
        return match exists(path)? {
            true => Ok(path.to_owned()),
            false => Err(ConfigIniError::KazooConfigMissing { path: path.to_owned() }),
        };
    }
    for path in DEFAULT_FILES.map(PathBuf::from) {
        if exists(&path)? {
            return Ok(path);
        }
    }
    Err(ConfigIniError::NoFile { searched: DEFAULT_FILES.map(PathBuf::from).to_vec() })
}

/// Whether `path` exists; a path that cannot even be looked at (a directory on the way
/// without search permission) is an error rather than silently skipped, unlike Kazoo,
/// which would then read another file than the operator meant.
fn exists(path: &Path) -> Result<bool, ConfigIniError> {
    match path.metadata() {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(ConfigIniError::Unreadable { path: path.to_owned(), source }),
    }
}

/// A parsed config.ini and the path it came from (for messages).
pub struct ConfigIni {
    path: PathBuf,
    ini: Ini,
}

impl ConfigIni {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigIniError> {
        let unreadable = |source| ConfigIniError::Unreadable { path: path.to_owned(), source };
        let bytes = std::fs::read(path).map_err(unreadable)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            malformed(path, line, "not UTF-8 text".to_owned())
        })?;
        ConfigIni::parse(path, &text)
    }

    /// Parses `text`; `path` only names it in errors.
    pub fn parse(path: impl Into<PathBuf>, text: &str) -> Result<Self, ConfigIniError> {
        let path = path.into();
        let ini = parse::parse(text).map_err(|bad| malformed(&path, bad.line, bad.reason))?;
        Ok(ConfigIni { path, ini })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every section named `name`, in file order.
    pub fn sections(&self, name: &str) -> impl Iterator<Item = Section<'_>> {
        // Owned, so that the iterator borrows only `self`.
        self.ini.section_all(Some(name.to_owned())).map(Section::new)
    }

    /// The sections named `name` that apply `here`: the first for this host alone, else
    /// those of this zone, else the generic ones; in file order.
    pub fn applicable(&self, name: &str, here: &Here) -> Vec<Section<'_>> {
        select::applicable(name, self.sections(name), here)
    }

    /// Where a node of `node_type` runs: `hostname`, and its zone: `kazoo_zone` (the value
    /// of `KAZOO_ZONE`), else the `zone` of the node type's section for this host, else
    /// [`DEFAULT_ZONE`].
    pub fn here(&self, node_type: &str, hostname: &str, kazoo_zone: Option<&str>) -> Here {
        let by_host = Here { hostname: hostname.to_owned(), zone: String::new() };
        let zone = kazoo_zone
            .map(str::to_owned)
            .or_else(|| self.host_section(node_type, &by_host)?.get("zone").map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_ZONE.to_owned());
        Here { zone, ..by_host }
    }

    /// The section of `node_type` chosen by `host`, if one is.
    fn host_section(&self, node_type: &str, here: &Here) -> Option<Section<'_>> {
        let chosen = self.applicable(node_type, here);
        let host_chosen = chosen.first()?.get("host").is_some();
        host_chosen.then(|| chosen[0])
    }

    /// The cookie of `node_type` here: `cookie` of its applicable section, else of
    /// `[kazoo_apps]`'s.
    pub fn cookie(&self, node_type: &str, here: &Here) -> Result<ReleaseCookie, ConfigIniError> {
        let own = self.applicable(node_type, here);
        let apps = match node_type {
            APPS_SECTION => Vec::new(),
            _ => self.applicable(APPS_SECTION, here),
        };
        let own_cookie = own.iter().find_map(|s| s.get("cookie"));
        let apps_cookie = apps.iter().find_map(|s| s.get("cookie"));
        let (value, section) = match (own_cookie, apps_cookie) {
            (Some(cookie), _) => (cookie, node_type),
            (None, Some(cookie)) => (cookie, APPS_SECTION),
            (None, None) => return Err(self.no_cookie(node_type, here, [!own.is_empty(), !apps.is_empty()])),
        };
        let disagrees = matches!((own_cookie, apps_cookie), (Some(a), Some(b)) if a != b);
        Ok(ReleaseCookie {
            value: value.to_owned(),
            source: CookieSource::Section { path: self.path.clone(), section: section.to_owned() },
            disagreement: disagrees.then(|| Disagreement { path: self.path.clone(), node_type: node_type.to_owned() }),
        })
    }

    /// The error when no cookie was found; `applied` says whether the node type's own
    /// sections and `[kazoo_apps]`'s applied here.
    fn no_cookie(&self, node_type: &str, here: &Here, applied: [bool; 2]) -> ConfigIniError {
        let path = self.path.clone();
        let names = match node_type {
            APPS_SECTION => &[APPS_SECTION][..],
            _ => &[node_type, APPS_SECTION][..],
        };
        if applied == [false, false] {
            let why = names.iter().map(|name| select::why_none_applies(name, self.sections(name), here));
            let detail = why.collect::<Vec<_>>().join("; ");
            return ConfigIniError::NoSection { path, node_type: node_type.to_owned(), detail };
        }
        let sections = names.iter().zip(applied).filter(|(_, a)| *a).map(|(name, _)| format!("[{name}]")).collect();
        ConfigIniError::NoCookie { path, node_type: node_type.to_owned(), sections }
    }
}

fn malformed(path: &Path, line: usize, reason: String) -> ConfigIniError {
    ConfigIniError::Malformed { path: path.to_owned(), line, reason }
}

/// A node type's cookie and where it came from. Its `Debug` hides the value: only
/// `read-release-cookie` may print it.
pub struct ReleaseCookie {
    value: String,
    source: CookieSource,
    disagreement: Option<Disagreement>,
}

impl ReleaseCookie {
    /// The cookie itself; never print or log it.
    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn source(&self) -> &CookieSource {
        &self.source
    }

    /// Set when `[kazoo_apps]` gives another cookie than the node type's own section.
    pub fn disagreement(&self) -> Option<&Disagreement> {
        self.disagreement.as_ref()
    }
}

impl fmt::Debug for ReleaseCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReleaseCookie")
            .field("value", &"<hidden>")
            .field("source", &self.source)
            .field("disagreement", &self.disagreement)
            .finish()
    }
}

/// Where a cookie was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CookieSource {
    /// The `KAZOO_COOKIE` environment variable.
    KazooCookie,
    /// A section of a config file.
    Section { path: PathBuf, section: String },
}

/// `[kazoo_apps]` and the node type's section give different cookies. Kazoo's own node
/// code prefers `[kazoo_apps]`, so a node started by Kazoo's scripts would use the other
/// one: worth a warning, which names no cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub path: PathBuf,
    pub node_type: String,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: [{}] and [{APPS_SECTION}] give different cookies; [{}]'s is used here, but \
             Kazoo's own node code uses [{APPS_SECTION}]'s: make them the same",
            self.path.display(),
            self.node_type,
            self.node_type
        )
    }
}

/// The cookie of `node_type` on this machine: `KAZOO_COOKIE` when set, else [`file_cookie`].
pub fn release_cookie(node_type: &str) -> Result<ReleaseCookie, ConfigIniError> {
    match non_empty_env(KAZOO_COOKIE) {
        Some(value) => Ok(ReleaseCookie { value, source: CookieSource::KazooCookie, disagreement: None }),
        None => file_cookie(node_type),
    }
}

/// The cookie of `node_type` from the config file `KAZOO_CONFIG` names, else the first of
/// [`DEFAULT_FILES`], for this machine's hostname and the zone `KAZOO_ZONE` or the file gives.
pub fn file_cookie(node_type: &str) -> Result<ReleaseCookie, ConfigIniError> {
    let path = find(non_empty_env(KAZOO_CONFIG).map(PathBuf::from).as_deref())?;
    let ini = ConfigIni::load(&path)?;
    // A hostname that cannot be read matches no `host` key: zone or generic sections apply.
    let hostname = crate::name::hostname().unwrap_or_default();
    let here = ini.here(node_type, &hostname, non_empty_env(KAZOO_ZONE).as_deref());
    ini.cookie(node_type, &here)
}

/// An environment variable's value; set but empty counts as unset, as for `REL`.
fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
