//! Applications: find them in lib dirs and the OTP root, read their `.app` files, and resolve
//! a node type's applications into the dependency closure in start order.
//!
//! ```no_run
//! use kazoo_release::apps::{AppIndex, OtpInstall, OtpSearch};
//! # fn main() -> Result<(), kazoo_release::apps::AppsError> {
//! let otp = OtpInstall::detect(&OtpSearch { erl_root: None, path: std::env::var_os("PATH") })?;
//! let index = AppIndex::scan(&["deps".into(), "core".into()], &otp)?;
//! for warning in index.warnings() {
//!     eprintln!("warning: {warning}");
//! }
//! let resolved = index.resolve("ecallmgr", &[])?;
//! # let _ = resolved; Ok(()) }
//! ```

mod error;
mod otp;
mod resolve;
mod scan;
mod version;

pub use error::{AppsError, ScanWarning};
pub use otp::{find_otp_root, OtpInstall, OtpSearch};
pub use resolve::{Resolved, ResolvedApp};
pub use scan::{AppIndex, AppInfo, FoundApp, Origin, SearchedDir};
pub use version::compare_versions;
