//! Node names: `type@host`, with this machine's hostname when the host is left out, as the
//! Makefile's `$REL@$(hostname)` does.

use std::fmt;

/// A node's full name, `name@host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeName {
    pub name: String,
    pub host: String,
}

#[derive(Debug, thiserror::Error)]
pub enum NameError {
    #[error("`{0}` has no name before the `@`: write NODE as `type` or `type@host`")]
    EmptyName(String),
    #[error("`{0}` has no host after the `@`: write NODE as `type` or `type@host`")]
    EmptyHost(String),
    #[error("cannot read this machine's hostname ({0}): give the node as `type@host`")]
    Hostname(#[source] std::io::Error),
}

impl NodeName {
    /// `type` or `type@host`; a missing host is this machine's [`hostname`].
    pub fn resolve(given: &str) -> Result<NodeName, NameError> {
        let (name, host) = match given.split_once('@') {
            Some((_, "")) => return Err(NameError::EmptyHost(given.to_owned())),
            Some((name, host)) => (name, host.to_owned()),
            None => (given, hostname()?),
        };
        if name.is_empty() {
            return Err(NameError::EmptyName(given.to_owned()));
        }
        Ok(NodeName { name: name.to_owned(), host })
    }

    /// Whether the node runs on this machine, so that its OS process can be watched.
    pub fn is_local(&self) -> bool {
        matches!(self.host.as_str(), "localhost" | "127.0.0.1")
            || hostname().is_ok_and(|h| h == self.host || h.split('.').next() == Some(&self.host))
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.host)
    }
}

/// This machine's hostname, as `hostname` prints it; read from the kernel rather than by
/// asking a BEAM (which would cost a VM boot) or running a program.
pub fn hostname() -> Result<String, NameError> {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map_err(NameError::Hostname)?;
    Ok(raw.trim().to_owned())
}

/// The fully qualified name of `host`, as Erlang's `-name` takes it for this host: the
/// canonical name the resolver gives (`/etc/hosts`' first name on the host's line, or
/// DNS), when it has one; `None` when `host` does not resolve.
pub fn canonical_name(host: &str) -> Option<String> {
    let host = std::ffi::CString::new(host).ok()?;
    // SAFETY: `hints` is zeroed then filled as getaddrinfo documents; the result list is
    // only read while valid and freed once.
    unsafe {
        let mut hints: libc::addrinfo = std::mem::zeroed();
        hints.ai_flags = libc::AI_CANONNAME;
        hints.ai_socktype = libc::SOCK_STREAM;
        let mut found: *mut libc::addrinfo = std::ptr::null_mut();
        if libc::getaddrinfo(host.as_ptr(), std::ptr::null(), &hints, &mut found) != 0 || found.is_null() {
            return None;
        }
        let canon = (*found).ai_canonname;
        let name = (!canon.is_null()).then(|| std::ffi::CStr::from_ptr(canon).to_string_lossy().into_owned());
        libc::freeaddrinfo(found);
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_gets_this_hosts_name() {
        let node = NodeName::resolve("ecallmgr").unwrap();
        assert_eq!(node.name, "ecallmgr");
        assert_eq!(node.host, hostname().unwrap());
        assert!(node.is_local());
    }

    #[test]
    fn a_full_name_is_kept() {
        let node = NodeName::resolve("ecallmgr@db1.example.com").unwrap();
        assert_eq!(node.to_string(), "ecallmgr@db1.example.com");
        assert!(!node.is_local());
    }

    #[test]
    fn the_canonical_name_of_localhost_is_known() {
        assert_eq!(canonical_name("localhost").as_deref(), Some("localhost"));
        assert_eq!(canonical_name("nowhere.invalid"), None);
    }

    #[test]
    fn empty_parts_are_errors() {
        assert!(matches!(NodeName::resolve("@vm"), Err(NameError::EmptyName(_))));
        assert!(matches!(NodeName::resolve("ecallmgr@"), Err(NameError::EmptyHost(_))));
    }
}
