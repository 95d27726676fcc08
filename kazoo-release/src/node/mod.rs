//! Nodes of a release: their names and cookies, the files they boot with, and running them
//! (console, foreground, a daemon behind run_erl, a remote shell).
//!
//! [`launch`] builds every VM command; [`overrides`] and [`subst`] choose and fill in the
//! vm.args and sys.config; [`home`] carries the cookie to the VM; [`pipes`] places a daemon's
//! pipe and log; [`supervise`] and [`daemon`] run the VM; [`tls`] writes a TLS node's options.

pub mod cookie;
pub mod daemon;
pub mod home;
pub mod hooks;
pub mod launch;
pub mod notify;
pub mod overrides;
pub mod pipes;
pub mod subst;
pub mod supervise;
pub mod tls;

pub use crate::name::{hostname, NameError, NodeName};
pub use cookie::{check_cookie, resolve_cookie, CookieError};
