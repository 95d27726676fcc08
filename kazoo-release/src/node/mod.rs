//! Nodes of a release: their names and cookies.
//!
//! Only what controlling a running node needs so far; starting nodes builds on the same pieces.

pub mod cookie;
pub mod name;

pub use cookie::{resolve_cookie, CookieError};
pub use name::{hostname, NameError, NodeName};
