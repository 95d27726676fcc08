//! The calls a release accepts (`xref_ignore = ["crypto:hmac/3", "pg2"]`).

use super::{Call, Mfa, XrefError};

/// What `xref_ignore` names: calls (`module:function/arity`) and modules (every call to
/// the module, and every call its own code makes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ignore {
    calls: Vec<Mfa>,
    modules: Vec<String>,
}

impl Ignore {
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Ignore, XrefError> {
        let mut ignore = Ignore::default();
        for entry in entries {
            match parse_entry(entry) {
                Some(Entry::Call(call)) => ignore.calls.push(call),
                Some(Entry::Module(module)) => ignore.modules.push(module),
                None => return Err(XrefError::Ignore { entry: entry.to_owned() }),
            }
        }
        Ok(ignore)
    }

    /// Whether `caller`'s call `call` is accepted.
    pub(super) fn accepts(&self, caller: &str, call: &Call) -> bool {
        let named = |mfa: &Mfa| mfa.module == call.module && mfa.function == call.function && mfa.arity == call.arity;
        self.calls.iter().any(named) || self.modules.iter().any(|m| m == call.module || m == caller)
    }
}

enum Entry {
    Call(Mfa),
    Module(String),
}

/// `module` or `module:function/arity`, each name an unquoted atom's characters.
fn parse_entry(entry: &str) -> Option<Entry> {
    let name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '@');
    let Some((module, rest)) = entry.split_once(':') else {
        return name(entry).then(|| Entry::Module(entry.to_owned()));
    };
    let (function, arity) = rest.rsplit_once('/')?;
    let arity = arity.parse().ok().filter(|_| arity.bytes().all(|b| b.is_ascii_digit()))?;
    (name(module) && name(function))
        .then(|| Entry::Call(Mfa { module: module.to_owned(), function: function.to_owned(), arity }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mfa<'a>(module: &'a str, function: &'a str, arity: u32) -> Call<'a> {
        Call { module, function, arity }
    }

    #[test]
    fn calls_and_modules_are_accepted_as_named() {
        let ignore = Ignore::parse(["crypto:hmac/3", "pg2"]).unwrap();
        assert!(ignore.accepts("couchbeam_util", &mfa("crypto", "hmac", 3)));
        assert!(!ignore.accepts("couchbeam_util", &mfa("crypto", "hmac", 4)));
        assert!(ignore.accepts("mirrored_supervisor", &mfa("pg2", "join", 2)));
        assert!(ignore.accepts("pg2", &mfa("ets", "new", 2)));
        assert!(!ignore.accepts("kz_util", &mfa("http_uri", "parse", 1)));
    }

    #[test]
    fn a_malformed_entry_is_named() {
        for bad in ["", "crypto:hmac", "crypto:hmac/x", "crypto:/3", ":hmac/3", "crypto:hmac/+3", "a b"] {
            let err = Ignore::parse([bad]).unwrap_err();
            assert!(matches!(&err, XrefError::Ignore { entry } if entry == bad), "{bad:?}: {err}");
        }
    }
}
