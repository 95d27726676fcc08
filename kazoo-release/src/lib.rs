//! kazoo-release: Kazoo's Erlang/OTP release as typed Rust data.
//!
//! Describe the release with `#[derive(Release)]`; `cargo build` renders and verifies its
//! relx.config, vm.args and sys.config; the binary materialises `_rel/<name>` and runs nodes.

pub mod apps;
pub mod boot;
pub mod build;
pub mod cli;
pub mod embed;
pub mod render;
pub mod spec;
pub mod term;

pub use kazoo_release_macros::Release;
pub use spec::{Release, ReleaseSpec};

/// What the derive's expansion reaches; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::spec::*;
    pub use crate::term::SerError;
}
