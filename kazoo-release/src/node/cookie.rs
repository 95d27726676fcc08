//! The cookie a node type uses, resolved from the release's conventions the same way for
//! the node and every client, so that they agree without the cookie ever being on a
//! command line.

use std::path::{Path, PathBuf};

use crate::assemble::TREE_COOKIE;
use crate::config_ini::{self, ConfigIniError};
use crate::conventions::{CookieSource, DefaultCookie, Resolved};

#[derive(Debug, thiserror::Error)]
pub enum CookieError {
    #[error("cannot read the cookie file {}: {source}; fix its permissions or set {env}", path.display())]
    Unreadable { path: PathBuf, env: String, source: std::io::Error },
    #[error("the cookie file {} is empty: write the cookie into it or set {env}", path.display())]
    Empty { path: PathBuf, env: String },
    #[error(transparent)]
    ConfigIni(#[from] ConfigIniError),
    #[error("the cookie {problem}, which Erlang would read differently from what you wrote; choose a cookie of letters, digits and punctuation, not starting with `-`")]
    Mangled { problem: &'static str },
}

/// A cookie, and what to tell the operator about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    pub value: String,
    /// Set when the cookie is one everyone knows.
    pub warning: Option<String>,
}

/// What cookie resolution takes from the environment, read by the caller (the runtime
/// context).
#[derive(Debug, Clone, Default)]
pub struct CookieEnv {
    /// The operator's config dir, where `cookie` may be.
    pub config_dir: PathBuf,
    /// `HOME`, where `.erlang.cookie` may be.
    pub home: Option<PathBuf>,
    /// config.ini's names, and the values of its variables (the cookie variable among them).
    pub ini: config_ini::Names,
    pub given: config_ini::Given,
}

/// The cookie for `node_type` of the release at `root`: `given` (`--cookie`), else
/// `<PREFIX>_COOKIE`, else the release's sources in order, else its default cookie.
pub fn resolve_cookie(
    given: Option<&str>,
    node_type: &str,
    conventions: &Resolved,
    root: &Path,
    env: &CookieEnv,
) -> Result<Cookie, CookieError> {
    let var = &env.ini.cookie_var;
    let found = |value: String| Cookie { value, warning: None };
    if let Some(cookie) = given.or(env.given.cookie.as_deref()) {
        return Ok(found(cookie.to_owned()));
    }
    for source in &conventions.cookie_sources {
        let cookie = match source {
            CookieSource::ConfigDirFile => existing(env.config_dir.join("cookie")).map(|p| read_cookie_file(p, var)),
            CookieSource::HomeFile => env
                .home
                .as_ref()
                .and_then(|home| existing(home.join(".erlang.cookie")))
                .map(|p| read_cookie_file(p, var)),
            // Only a machine without any config file falls through; a broken one is an error.
            CookieSource::ConfigIni => match config_ini::file_cookie(&env.ini, &env.given, node_type) {
                Ok(cookie) => Some(Ok(cookie.value().to_owned())),
                Err(ConfigIniError::NoFile { .. }) => None,
                Err(e) => Some(Err(e.into())),
            },
        };
        if let Some(cookie) = cookie {
            return cookie.map(found);
        }
    }
    match &conventions.default_cookie {
        DefaultCookie::Generated => read_cookie_file(root.join(TREE_COOKIE), var).map(found),
        DefaultCookie::WellKnown(cookie) => Ok(Cookie {
            value: cookie.clone(),
            warning: Some(format!(
                "no cookie is configured, so the well-known cookie `{cookie}` is used: anyone who can reach the \
                 node can run code on it; set one ({})",
                conventions.describe_cookie_sources()
            )),
        }),
    }
}

/// Refuses a cookie that would not reach the VM as written: empty, with white space or
/// control characters (auth reads the file's first word), or starting with `-` (erl takes
/// `-setcookie -x` as a flag).
pub fn check_cookie(cookie: &str) -> Result<(), CookieError> {
    let problem = if cookie.is_empty() {
        "is empty"
    } else if cookie.starts_with('-') {
        "starts with `-`"
    } else if cookie.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "holds white space or control characters"
    } else {
        return Ok(());
    };
    Err(CookieError::Mangled { problem })
}

fn existing(path: PathBuf) -> Option<PathBuf> {
    path.exists().then_some(path)
}

fn read_cookie_file(path: PathBuf, env: &str) -> Result<String, CookieError> {
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().is_empty() => Err(CookieError::Empty { path, env: env.to_owned() }),
        Ok(text) => Ok(text.trim().to_owned()),
        Err(source) => Err(CookieError::Unreadable { path, env: env.to_owned(), source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventions::{Conventions, IniSource};

    /// Release `shop`, reading config.ini from `dir` before `~/.erlang.cookie`.
    fn shop(dir: &Path) -> (Resolved, CookieEnv) {
        let conventions = Conventions {
            cookie_sources: vec![CookieSource::ConfigIni, CookieSource::HomeFile],
            config_ini: IniSource { fallback_section: Some("common".into()), ..IniSource::default() },
            ..Conventions::default()
        }
        .resolve("shop");
        let ini = conventions.config_ini(dir);
        let env =
            CookieEnv { config_dir: dir.to_owned(), home: Some(dir.join("home")), ini, given: Default::default() };
        (conventions, env)
    }

    /// What `read-release-cookie` prints, and what a start uses.
    fn both(conventions: &Resolved, env: &CookieEnv, node_type: &str) -> (String, String) {
        let read = config_ini::release_cookie(&env.ini, &env.given, node_type).unwrap();
        let start = resolve_cookie(None, node_type, conventions, Path::new("/nonexistent"), env).unwrap();
        (read.value().to_owned(), start.value)
    }

    #[test]
    fn read_release_cookie_and_start_agree_for_any_release() {
        let dir = tempfile::tempdir().unwrap();
        let (conventions, mut env) = shop(dir.path());
        assert_eq!((env.ini.file_var.as_str(), env.ini.cookie_var.as_str()), ("SHOP_CONFIG", "SHOP_COOKIE"));
        std::fs::write(dir.path().join("config.ini"), "[common]\ncookie = shared\n[till]\ncookie = own\n").unwrap();
        assert_eq!(both(&conventions, &env, "till"), ("own".into(), "own".into()));
        assert_eq!(both(&conventions, &env, "backoffice"), ("shared".into(), "shared".into()));
        env.given.cookie = Some("from_shop_cookie".into());
        assert_eq!(both(&conventions, &env, "till"), ("from_shop_cookie".into(), "from_shop_cookie".into()));
        let other = dir.path().join("other.ini");
        std::fs::write(&other, "[till]\ncookie = other\n").unwrap();
        env.given = config_ini::Given { file: Some(other), ..Default::default() };
        assert_eq!(both(&conventions, &env, "till"), ("other".into(), "other".into()));
    }

    #[test]
    fn cookies_erlang_would_mangle_are_refused() {
        assert!(check_cookie("change_me").is_ok());
        assert!(check_cookie("a$b!c.d").is_ok());
        for bad in ["", "-x", "two words", "tab\there"] {
            assert!(matches!(check_cookie(bad), Err(CookieError::Mangled { .. })), "{bad:?}");
        }
    }
}
