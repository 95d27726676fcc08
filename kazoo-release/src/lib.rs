//! kazoo-release: Kazoo's Erlang/OTP release as typed Rust data.
//!
//! Describe the release with `#[derive(Release)]`; `cargo build` renders and verifies its
//! relx.config, vm.args and sys.config; the binary materialises `_rel/<name>` and runs nodes.
//!
//! # Describing a release
//!
//! Names are Erlang atoms, checked at compile time with the offending token underlined;
//! sys.config is typed Rust data that serde turns into proplists.
//!
//! ```
//! use kazoo_release::spec::SysConfig;
//! use kazoo_release::term::SerError;
//! use kazoo_release::Release;
//!
//! #[derive(serde::Serialize)]
//! struct Lager {
//!     colored: bool,
//!     error_logger_hwm: u32,
//! }
//!
//! fn sys_config() -> Result<SysConfig, SerError> {
//!     SysConfig::default().app("lager", Lager { colored: true, error_logger_hwm: 5000 })
//! }
//!
//! #[derive(Release)]
//! #[release(name = kazoo, version = "4.3.0", default_node = kazoo_apps)]
//! #[release(lib_dirs = ["applications", "core", "deps"], base_apps = [runtime_tools, tools, sasl])]
//! #[release(include_erts = true, sys_config = sys_config)]
//! #[node(name = ecallmgr, apps = [ecallmgr])]
//! #[node(name = kazoo_apps, apps = [kazoo_apps, lager])]
//! #[vm_args(inet_dist_listen_min = 11500, inet_dist_listen_max = 11999, kernel_poll = true,
//!           async_threads = 100, env(ERL_CRASH_DUMP_NICE = "1"))]
//! #[profile(name = dev, dev_mode = true, include_erts = false)]
//! struct Kazoo;
//!
//! let spec = Kazoo::spec()?;
//! assert_eq!(spec.default_node, "kazoo_apps");
//! let lager = &spec.sys_config.apps[0].1;
//! assert_eq!(lager.to_string(), "[{colored, true}, {error_logger_hwm, 5000}]");
//! assert!(spec.with_profile("dev").unwrap().dev_mode);
//! # Ok::<(), SerError>(())
//! ```
//!
//! A build script then renders, verifies and embeds it (see [`build`]), and the binary hands
//! the embedded result to [`cli::main`]:
//!
//! ```ignore
//! // build.rs
//! #[path = "src/release.rs"]
//! mod release;
//! fn main() {
//!     kazoo_release::build::build::<release::Kazoo>();
//! }
//!
//! // src/main.rs
//! fn main() -> std::process::ExitCode {
//!     kazoo_release::cli::main(kazoo_release::embedded!())
//! }
//! ```

pub mod apps;
pub mod assemble;
pub mod boot;
pub mod build;
pub mod cli;
pub mod config_ini;
pub mod conventions;
pub mod dist;
pub mod embed;
pub mod name;
pub mod node;
pub mod render;
pub mod spec;
pub mod term;
pub mod tree;

pub use kazoo_release_macros::Release;
pub use spec::{Release, ReleaseSpec};

/// What the derive's expansion reaches; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::spec::*;
    pub use crate::term::SerError;
}
