//! config.ini as Kazoo reads it: which file, which of its repeated sections apply to this
//! node, and the node type's cookie, read exactly as Kazoo's `kazoo_config` reads them. A
//! release opts into it as a cookie source; its conventions give the file paths, the
//! variable names and the fallback section ([`Names`]).
//!
//! `read-release-cookie` and node start both call [`release_cookie`] (or its file step,
//! [`file_cookie`]) with the same [`Given`] values, so the tools and the node can never
//! disagree about the cookie.
//!
//! ```
//! use kazoo_release::config_ini::{ConfigIni, Here, Names};
//!
//! let names = Names {
//!     file_var: "HELLO_CONFIG".into(),
//!     files: vec!["/etc/hello/config.ini".into()],
//!     zone_var: "HELLO_ZONE".into(),
//!     fallback_section: Some("common".into()),
//!     cookie_var: "HELLO_COOKIE".into(),
//! };
//! let ini = ConfigIni::parse("config.ini", "[common]\ncookie = \"shared\"\n")?;
//! let here = Here { hostname: "hello1".into(), zone: "local".into() };
//! assert_eq!(ini.cookie("worker", &here, &names)?.value(), "shared");
//! # Ok::<(), kazoo_release::config_ini::ConfigIniError>(())
//! ```
//!
//! # The node's zone
//!
//! kz_config takes the zone from its zone variable (Kazoo's `KAZOO_ZONE`), else from the
//! `zone` key of the node type's section that applies, else `local`. Only a section chosen
//! by `host` can give it here: choosing a zone section needs the zone first (kz_config itself
//! recurses forever on such a file), so a file whose node sections are tagged only by `zone`
//! needs the variable.

mod error;
mod parse;
mod select;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use ini::Ini;

pub use error::ConfigIniError;
pub use select::{Here, Section};

/// kz_config's zone when nothing names one.
pub const DEFAULT_ZONE: &str = "local";

/// Where a release's config.ini is and the names it goes by, as the release's conventions
/// give them (see [`crate::conventions::IniSource`]); Kazoo's are `KAZOO_CONFIG`,
/// `/etc/kazoo/config.ini` then `/etc/kazoo/core/config.ini`, `KAZOO_ZONE`, `[kazoo_apps]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// The variable naming the one file to read.
    pub file_var: String,
    /// The files searched when that variable is unset, first existing first.
    pub files: Vec<PathBuf>,
    /// The variable giving the node's zone.
    pub zone_var: String,
    /// The section a node type's cookie falls back to when its own gives none.
    pub fallback_section: Option<String>,
    /// The variable whose cookie comes before config.ini's (the release's `<PREFIX>_COOKIE`).
    pub cookie_var: String,
}

/// The values of [`Names`]' variables, read by the caller (the runtime context).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub file: Option<PathBuf>,
    pub zone: Option<String>,
    pub cookie: Option<String>,
}

/// The file to read: `given` (the value of [`Names::file_var`]) alone when set, else the
/// first of [`Names::files`] that exists.
pub fn find(names: &Names, given: Option<&Path>) -> Result<PathBuf, ConfigIniError> {
    if let Some(path) = given {
        return match exists(path)? {
            true => Ok(path.to_owned()),
            false => Err(ConfigIniError::FileVarMissing {
                var: names.file_var.clone(),
                path: path.to_owned(),
                instead: names.files.clone(),
            }),
        };
    }
    for path in &names.files {
        if exists(path)? {
            return Ok(path.clone());
        }
    }
    Err(ConfigIniError::NoFile { searched: names.files.clone(), var: names.file_var.clone() })
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

    /// Where a node of `node_type` runs: `hostname`, and its zone: `zone` (the value of
    /// [`Names::zone_var`]), else the `zone` of the node type's section for this host, else
    /// [`DEFAULT_ZONE`].
    pub fn here(&self, node_type: &str, hostname: &str, zone: Option<&str>) -> Here {
        let by_host = Here { hostname: hostname.to_owned(), zone: String::new() };
        let zone = zone
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

    /// The cookie of `node_type` here: `cookie` of its applicable section, else of the
    /// fallback section's ([`Names::fallback_section`]).
    pub fn cookie(&self, node_type: &str, here: &Here, names: &Names) -> Result<ReleaseCookie, ConfigIniError> {
        let fallback = names.fallback_section.as_deref().filter(|f| *f != node_type);
        let own = self.applicable(node_type, here);
        let others = fallback.map(|f| self.applicable(f, here)).unwrap_or_default();
        let own_cookie = own.iter().find_map(|s| s.get("cookie"));
        let fallback_cookie = others.iter().find_map(|s| s.get("cookie"));
        let (value, section) = match (own_cookie, fallback_cookie.zip(fallback)) {
            (Some(cookie), _) => (cookie, node_type),
            (None, Some((cookie, fallback))) => (cookie, fallback),
            (None, None) => return Err(self.no_cookie(node_type, here, names, [!own.is_empty(), !others.is_empty()])),
        };
        let disagreement = match (own_cookie, fallback_cookie, fallback) {
            (Some(a), Some(b), Some(fallback)) if a != b => Some(Disagreement {
                path: self.path.clone(),
                node_type: node_type.to_owned(),
                fallback: fallback.to_owned(),
            }),
            _ => None,
        };
        let source = CookieSource::Section { path: self.path.clone(), section: section.to_owned() };
        Ok(ReleaseCookie { value: value.to_owned(), source, disagreement })
    }

    /// The error when no cookie was found; `applied` says whether the node type's own
    /// sections and the fallback section's applied here.
    fn no_cookie(&self, node_type: &str, here: &Here, names: &Names, applied: [bool; 2]) -> ConfigIniError {
        let path = self.path.clone();
        let mut sections = vec![node_type];
        sections.extend(names.fallback_section.as_deref().filter(|f| *f != node_type));
        if applied == [false, false] {
            let why = sections.iter().map(|name| select::why_none_applies(name, self.sections(name), here));
            let detail = why.collect::<Vec<_>>().join("; ");
            let sections = sections.iter().map(|name| format!("[{name}]")).collect::<Vec<_>>().join(" or ");
            return ConfigIniError::NoSection { path, sections, detail };
        }
        let applied = sections.iter().zip(applied).filter(|(_, a)| *a).map(|(name, _)| format!("[{name}]")).collect();
        ConfigIniError::NoCookie {
            path,
            node_type: node_type.to_owned(),
            sections: applied,
            cookie_var: names.cookie_var.clone(),
        }
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

    /// Set when the fallback section gives another cookie than the node type's own section.
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
    /// The release's cookie variable ([`Names::cookie_var`]).
    Variable(String),
    /// A section of a config file.
    Section { path: PathBuf, section: String },
}

/// The fallback section and the node type's section give different cookies. Code that
/// reads only the fallback section (Kazoo's own node code does) would use the other one:
/// worth a warning, which names no cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub path: PathBuf,
    pub node_type: String,
    pub fallback: String,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (node, fallback) = (&self.node_type, &self.fallback);
        write!(
            f,
            "{}: [{node}] and [{fallback}] give different cookies; [{node}]'s is used here, but code that \
             reads only [{fallback}] gets the other one: make them the same",
            self.path.display(),
        )
    }
}

/// The cookie of `node_type` on this machine: `given.cookie` (the release's cookie variable)
/// when set, else [`file_cookie`]. `read-release-cookie` and a node's start both come here.
pub fn release_cookie(names: &Names, given: &Given, node_type: &str) -> Result<ReleaseCookie, ConfigIniError> {
    match &given.cookie {
        Some(value) => Ok(ReleaseCookie {
            value: value.clone(),
            source: CookieSource::Variable(names.cookie_var.clone()),
            disagreement: None,
        }),
        None => file_cookie(names, given, node_type),
    }
}

/// The cookie of `node_type` from the config file `given.file` names, else the first of
/// [`Names::files`], for this machine's hostname and the zone `given.zone` or the file gives.
pub fn file_cookie(names: &Names, given: &Given, node_type: &str) -> Result<ReleaseCookie, ConfigIniError> {
    let path = find(names, given.file.as_deref())?;
    let ini = ConfigIni::load(&path)?;
    // A hostname that cannot be read matches no `host` key: zone or generic sections apply.
    let hostname = crate::name::hostname().unwrap_or_default();
    let here = ini.here(node_type, &hostname, given.zone.as_deref());
    ini.cookie(node_type, &here, names)
}
