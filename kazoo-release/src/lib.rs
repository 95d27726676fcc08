//! kazoo-release: an Erlang/OTP release as typed Rust data, built by `cargo build`, run by
//! its own binary. Kazoo's release is its first user; nothing here is Kazoo's but what a
//! release opts into ([`config_ini`], and the names it gives through [`conventions`]).
//!
//! Describe the release with `#[derive(Release)]`; `cargo build` renders and verifies its
//! relx.config, vm.args and sys.config; the binary writes the release tree `_rel/<name>`
//! and runs its nodes, and the tree's own copy of the binary runs them wherever the tree
//! is unpacked.
//!
//! # Where things are
//!
//! Data flows one way, from the spec to running nodes:
//!
//! | module | its one job |
//! |---|---|
//! | [`term`] | Erlang terms: the model, a printer of Erlang source text, a parser, serde |
//! | [`spec`] | the release model the derive produces (node types, apps, vm.args, sys.config, overlays, profiles) |
//! | [`render`] | Handlebars templates with term-printing helpers |
//! | [`build`] | what a `build.rs` calls: render, verify, resolve applications, embed |
//! | [`vm_args`] | vm.args as erl reads it, checked line by line (build step and node start alike) |
//! | [`embed`] | what the build embedded in the binary (rendered files, overlay files) |
//! | [`apps`] | applications found in lib dirs and OTP, their closure and start order |
//! | [`boot`] | `.rel` files and boot scripts, written as systools writes them |
//! | [`assemble`] | writing the tree atomically (lib/, erts, releases/, bin/) |
//! | [`ship`] | the tree's artefacts, reproducible: the tarball, the Debian package, the OCI image |
//! | [`tree`] | a written tree as a run host sees it: found from the binary's path, read from its own files |
//! | [`conventions`] | a release's names: variables, config dir, cookie sources, helper nodes |
//! | [`name`] | node names and the host's name (a leaf: dist and config_ini use it) |
//! | [`node`] | running nodes: cookies, run-time dirs, operator files, launching and supervising VMs |
//! | [`dist`] | an Erlang distribution client: EPMD or a fixed port, TCP or TLS, handshake, rpc, no second BEAM |
//! | [`certs`] | a development CA and hosts' certificates for TLS distribution |
//! | [`config_ini`] | config.ini as Kazoo reads it, an opt-in cookie source whose names the conventions give |
//! | [`cli`] | the command line every release binary shares, on one runtime context |
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
//! the embedded result to [`cli::main`] (or [`cli::main_with`] and the release's
//! [`conventions::Conventions`]):
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
pub(crate) mod beam;
pub mod boot;
pub mod build;
pub mod certs;
pub mod cli;
pub mod config_ini;
pub mod conventions;
pub mod dist;
pub mod embed;
pub mod name;
pub mod node;
pub mod render;
pub mod ship;
pub mod spec;
pub mod term;
pub mod tree;
pub mod upgrade;
pub mod vm_args;
pub mod xref;

pub use kazoo_release_macros::Release;
pub use spec::{Release, ReleaseSpec};

/// What the derive's expansion reaches; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::spec::*;
    pub use crate::term::SerError;
}
