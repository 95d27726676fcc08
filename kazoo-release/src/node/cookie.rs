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

/// The cookie for `node_type` of the release at `root`: `given` (`--cookie`), else
/// `<PREFIX>_COOKIE`, else the release's sources in order, else its default cookie.
pub fn resolve_cookie(
    given: Option<&str>,
    node_type: &str,
    conventions: &Resolved,
    root: &Path,
) -> Result<Cookie, CookieError> {
    let env = conventions.var("COOKIE");
    let found = |value: String| Cookie { value, warning: None };
    if let Some(cookie) = given {
        return Ok(found(cookie.to_owned()));
    }
    if let Some(cookie) = std::env::var(&env).ok().filter(|c| !c.is_empty()) {
        return Ok(found(cookie));
    }
    for source in &conventions.cookie_sources {
        let cookie = match source {
            CookieSource::ConfigDirFile => {
                existing(conventions.config_dir().join("cookie")).map(|p| read_cookie_file(p, &env))
            }
            CookieSource::HomeFile => home_cookie_file().map(|p| read_cookie_file(p, &env)),
            // Only a machine without any config file falls through; a broken one is an error.
            CookieSource::ConfigIni => match config_ini::file_cookie(node_type) {
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
        DefaultCookie::Generated => read_cookie_file(root.join(TREE_COOKIE), &env).map(found),
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

fn home_cookie_file() -> Option<PathBuf> {
    existing(PathBuf::from(std::env::var_os("HOME")?).join(".erlang.cookie"))
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

    #[test]
    fn cookies_erlang_would_mangle_are_refused() {
        assert!(check_cookie("change_me").is_ok());
        assert!(check_cookie("a$b!c.d").is_ok());
        for bad in ["", "-x", "two words", "tab\there"] {
            assert!(matches!(check_cookie(bad), Err(CookieError::Mangled { .. })), "{bad:?}");
        }
    }
}
