//! The cookie a node type uses, resolved the way the node itself resolves it, so that a
//! client and the node agree without the cookie ever being on a command line.

use std::path::PathBuf;

use crate::config_ini::{self, ConfigIniError};

/// Kazoo's cookie when nothing else sets one.
pub const DEFAULT_COOKIE: &str = "change_me";

/// The variable that overrides every file.
pub const COOKIE_ENV: &str = "KAZOO_COOKIE";

#[derive(Debug, thiserror::Error)]
pub enum CookieError {
    #[error("cannot read the cookie file {path}: {source}; fix its permissions or set {COOKIE_ENV}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("the cookie file {0} is empty: write the cookie into it or set {COOKIE_ENV}")]
    Empty(PathBuf),
    #[error(transparent)]
    ConfigIni(#[from] ConfigIniError),
    #[error("the cookie {problem}, which Erlang would read differently from what you wrote; choose a cookie of letters, digits and punctuation, not starting with `-`")]
    Mangled { problem: &'static str },
}

/// The cookie for `node_type`: `given` (`--cookie`), else `$KAZOO_COOKIE`, else its
/// config.ini section, else `~/.erlang.cookie`, else [`DEFAULT_COOKIE`].
pub fn resolve_cookie(given: Option<&str>, node_type: &str) -> Result<String, CookieError> {
    if let Some(cookie) = given {
        return Ok(cookie.to_owned());
    }
    // KAZOO_COOKIE, then config.ini: exactly what `read-release-cookie` prints. Only a
    // machine without any config file falls through; a broken one is an error.
    match config_ini::release_cookie(node_type) {
        Ok(cookie) => return Ok(cookie.value().to_owned()),
        Err(ConfigIniError::NoFile { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    match home_cookie_file() {
        Some(path) => read_cookie_file(path),
        None => Ok(DEFAULT_COOKIE.to_owned()),
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
    let path = PathBuf::from(std::env::var_os("HOME")?).join(".erlang.cookie");
    path.exists().then_some(path)
}

fn read_cookie_file(path: PathBuf) -> Result<String, CookieError> {
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().is_empty() => Err(CookieError::Empty(path)),
        Ok(text) => Ok(text.trim().to_owned()),
        Err(source) => Err(CookieError::Unreadable { path, source }),
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
