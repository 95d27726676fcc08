//! The runtime context, resolved once in [`super::main`]: the embedded release, the profile,
//! which release tree every command works on, and the process environment. A binary that
//! is `bin/<name>` of a tree serves that tree as it is, wherever it was unpacked; the binary
//! cargo built writes `<out>/<name>` when it is missing or stale, then works on it. No
//! command finds paths or reads variables of its own: the environment is read here, once,
//! and library functions are handed the values they need.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::cookie::cookie_error;
use super::{exit, CliError};
use crate::apps::OtpSearch;
use crate::assemble::{self, Options, Report, Shipment};
use crate::config_ini;
use crate::conventions::{DefaultCookie, Resolved};
use crate::dist::{self, Reach, Transport};
use crate::embed::{Embedded, EmbeddedProfile};
use crate::node::cookie::CookieEnv;
use crate::node::launch::{LaunchError, NameType, CRASH_DUMP_ENV, NAME_TYPE_ENV};
use crate::node::pipes::{RunBases, RunDirs, LOG_DIR_ENV, PIPE_DIR_ENV};
use crate::node::subst::{self, REPLACE_OS_VARS};
use crate::node::{resolve_cookie, NodeName};
use crate::spec::{DistMode, ReleaseSpec, DEFAULT_PROFILE};
use crate::tree::Tree;

/// OTP's variable (as relx honours it) for the one port nodes listen on without EPMD.
pub const DIST_PORT_ENV: &str = "ERL_DIST_PORT";

/// Where the release tree is, and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseDir {
    /// This binary is the tree's own `bin/<name>`: the tree at this root, never rewritten.
    Own(PathBuf),
    /// This binary was built by cargo: the tree is `<out>/<name>`, written when needed.
    Out(PathBuf),
}

/// The process environment, read once: commands take values from it.
#[derive(Debug, Clone, Default)]
pub struct Environment(HashMap<OsString, OsString>);

impl Environment {
    pub fn of_process() -> Environment {
        Environment(std::env::vars_os().collect())
    }

    /// A variable's value; set but empty counts as unset (as for `REL`).
    pub fn os(&self, name: &str) -> Option<&OsStr> {
        self.0.get(OsStr::new(name)).map(OsString::as_os_str).filter(|v| !v.is_empty())
    }

    /// [`os`](Self::os) as text; a value that is not UTF-8 counts as unset.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.os(name).and_then(OsStr::to_str)
    }

    pub fn path(&self, name: &str) -> Option<PathBuf> {
        self.os(name).map(PathBuf::from)
    }
}

/// What every command works on.
pub struct Context<'a> {
    pub embedded: &'a Embedded,
    pub profile: String,
    /// The chosen profile's spec, decoded when a command first needs it (`ping` of a full
    /// node name does not).
    spec: std::sync::OnceLock<ReleaseSpec>,
    pub release: ReleaseDir,
    /// The release's names: variables, config dir, cookie sources, helper nodes.
    pub conventions: Resolved,
    /// Whether the well-known cookie's warning was given (once per command).
    warned: std::sync::atomic::AtomicBool,
    pub env: Environment,
    /// How nodes are reached (the helper prefix, `ERL_EPMD_PORT`, `ERL_DIST_PORT`, TCP or
    /// TLS), made when a command first needs it: TLS reads the operator's files.
    reach: std::sync::OnceLock<Reach>,
    /// Where run-time dirs go: `PIPE_DIR`, `RUNNER_LOG_DIR`, the temporary directory.
    pub run_bases: RunBases,
}

impl<'a> Context<'a> {
    /// The context of this process: `out` is `--out` (or the release dir variable),
    /// `profile` is `--profile` (or the profile variable), else the one the tree's own
    /// binary was built with, else the default.
    pub fn resolve(
        embedded: &'a Embedded,
        profile: Option<String>,
        out: Option<PathBuf>,
        conventions: Resolved,
    ) -> Result<Context<'a>, CliError> {
        let exe = std::env::current_exe()
            .map_err(|e| CliError::failure(format!("cannot find this binary's own path: {e}")))?;
        let release = release_dir(&exe, embedded.release, out)?;
        let profile = profile.unwrap_or_else(|| match &release {
            ReleaseDir::Own(root) => assemble::built_profile(root).unwrap_or_else(|| DEFAULT_PROFILE.to_owned()),
            ReleaseDir::Out(_) => DEFAULT_PROFILE.to_owned(),
        });
        if !embedded.profiles().any(|p| p == profile) {
            let profiles: Vec<&str> = embedded.profiles().collect();
            return Err(CliError::new(
                exit::UNKNOWN,
                format!("no profile `{profile}` in this release; its profiles are: {}", profiles.join(", ")),
            ));
        }
        let env = Environment::of_process();
        let run_bases = RunBases {
            pipe: env.path(PIPE_DIR_ENV),
            log: env.path(LOG_DIR_ENV),
            temp: env.path("TMPDIR").unwrap_or_else(|| PathBuf::from("/tmp")),
        };
        Ok(Context {
            embedded,
            profile,
            spec: Default::default(),
            release,
            conventions,
            warned: Default::default(),
            env,
            reach: Default::default(),
            run_bases,
        })
    }

    /// The chosen profile's spec.
    pub fn spec(&self) -> &ReleaseSpec {
        // The build step wrote every profile's spec from this very type, and `resolve`
        // checked the profile is one of them: decoding it cannot fail.
        self.spec.get_or_init(|| self.embedded.spec(&self.profile).expect("the build step embeds every profile's spec"))
    }

    /// The chosen profile's distribution settings, without decoding its spec.
    fn embedded_profile(&self) -> &'static EmbeddedProfile {
        // `resolve` checked the profile is one the build embedded.
        self.embedded.profile(&self.profile).expect("the build step embeds every profile")
    }

    /// How this command reaches nodes.
    pub fn reach(&self) -> Result<&Reach, dist::DistError> {
        if let Some(reach) = self.reach.get() {
            return Ok(reach);
        }
        let mut reach = self.epmd_reach();
        let setup = |e: CliError| dist::DistError::Setup(e.message);
        reach.dist_port = self.dist_port().map_err(setup)?;
        if self.dist_mode().map_err(setup)? == DistMode::Tls {
            let tls = dist::Tls::load(&self.tls_files()).map_err(|e| dist::DistError::Setup(e.to_string()))?;
            reach.transport = Transport::Tls(tls);
        }
        Ok(self.reach.get_or_init(|| reach))
    }

    /// Nodes through EPMD over plain TCP: all that asking EPMD needs.
    fn epmd_reach(&self) -> Reach {
        let mut reach =
            Reach::new(&self.conventions.helper_prefix, self.env.var("ERL_EPMD_PORT").and_then(|p| p.parse().ok()));
        reach.dist_var = self.conventions.var("DIST");
        reach
    }

    /// TCP or TLS: `<PREFIX>_DIST`, else the profile's.
    pub fn dist_mode(&self) -> Result<DistMode, CliError> {
        let var = self.conventions.var("DIST");
        match self.env.var(&var) {
            None => Ok(self.embedded_profile().dist),
            Some("tcp") => Ok(DistMode::Tcp),
            Some("tls") => Ok(DistMode::Tls),
            Some(other) => Err(CliError::new(exit::NODE_CONFIG, format!("{var} is `{other}`: set it to tls or tcp"))),
        }
    }

    /// The nodes' one port without EPMD: `ERL_DIST_PORT`, else the profile's.
    pub fn dist_port(&self) -> Result<Option<u16>, CliError> {
        match self.env.var(DIST_PORT_ENV) {
            None => Ok(self.embedded_profile().dist_port),
            Some(text) => match text.parse::<u16>() {
                Ok(port) if port > 0 => Ok(Some(port)),
                _ => Err(CliError::new(
                    exit::NODE_CONFIG,
                    format!("{DIST_PORT_ENV} is `{text}`: set it to a port in 1..=65535, or unset it to use EPMD"),
                )),
            },
        }
    }

    /// The operator's TLS files: `<PREFIX>_DIST_CA`, `_DIST_CERT`, `_DIST_KEY`, else
    /// `ca.pem`, `node.pem` and `node.key` in the config dir's `dist/`.
    pub fn tls_files(&self) -> dist::TlsFiles {
        let dir = self.config_dir().join("dist");
        let file = |suffix: &str, name: &str| {
            let var = self.conventions.var(suffix);
            dist::TlsFile { path: self.env.path(&var).unwrap_or_else(|| dir.join(name)), var }
        };
        dist::TlsFiles {
            ca: file("DIST_CA", "ca.pem"),
            cert: file("DIST_CERT", "node.pem"),
            key: file("DIST_KEY", "node.key"),
        }
    }

    /// A distribution client of `node`, as one of the release's helper nodes.
    pub fn connect(&self, node: &NodeName, cookie: &str, timeout: Duration) -> Result<dist::Client, dist::DistError> {
        dist::Client::connect(node, cookie, timeout, self.reach()?)
    }

    /// Whether `node` runs or holds its name: registered with its host's EPMD (which needs
    /// no TLS files), or answering at the fixed port (over TLS when it speaks it).
    pub fn registered(&self, node: &NodeName, timeout: Duration) -> Result<bool, dist::DistError> {
        match self.dist_port().map_err(|e| dist::DistError::Setup(e.message))? {
            None => dist::registered(node, &self.epmd_reach(), timeout),
            Some(_) => dist::registered(node, self.reach()?, timeout),
        }
    }

    /// `-name` or `-sname`: `--sname`, else `$NODE_NAME_TYPE`.
    pub fn name_type(&self, sname: bool) -> Result<NameType, CliError> {
        NameType::choose(sname, self.env.var(NAME_TYPE_ENV)).map_err(launch_error)
    }

    /// The run-time dirs of node `name` of the release at `root`.
    pub fn run_dirs(&self, root: &Path, name: &NodeName) -> RunDirs {
        RunDirs::of(root, self.embedded.release, name, &self.run_bases)
    }

    /// Where Erlang/OTP is: `ERL_ROOT`, else `PATH`'s `erl`.
    pub fn otp(&self) -> OtpSearch {
        OtpSearch {
            erl_root: self.env.os("ERL_ROOT").map(OsStr::to_owned),
            path: self.env.os("PATH").map(OsStr::to_owned),
        }
    }

    /// `$ERL_CRASH_DUMP`, which a VM's own dump path gives way to.
    pub fn crash_dump(&self) -> Option<PathBuf> {
        self.env.path(CRASH_DUMP_ENV)
    }

    /// Whether `${VAR}`s in operator files are replaced (`RELX_REPLACE_OS_VARS`).
    pub fn replaces_os_vars(&self) -> bool {
        subst::enabled(self.env.var(REPLACE_OS_VARS))
    }

    /// The operator's config dir: `<PREFIX>_CONFIG_DIR`, else the release's.
    pub fn config_dir(&self) -> PathBuf {
        self.conventions.config_dir(self.env.path(&self.conventions.var("CONFIG_DIR")).as_deref())
    }

    /// config.ini's names and the values of its variables.
    pub fn config_ini(&self) -> (config_ini::Names, config_ini::Given) {
        let names = self.conventions.config_ini(&self.config_dir());
        let given = config_ini::Given {
            file: self.env.path(&names.file_var),
            zone: self.env.var(&names.zone_var).map(str::to_owned),
            cookie: self.env.var(&names.cookie_var).map(str::to_owned),
        };
        (names, given)
    }

    /// The cookie of `node_type`: `given` (`--cookie`), else the release's sources; the
    /// well-known default is said on stderr.
    pub fn cookie(&self, given: Option<&str>, node_type: &str) -> Result<String, CliError> {
        let (ini, ini_given) = self.config_ini();
        let env = CookieEnv { config_dir: self.config_dir(), home: self.env.path("HOME"), ini, given: ini_given };
        let cookie = resolve_cookie(given, node_type, &self.conventions, &self.root(), &env).map_err(cookie_error)?;
        if let Some(warning) = cookie.warning.filter(|_| !self.warned.swap(true, std::sync::atomic::Ordering::Relaxed))
        {
            eprintln!("warning: {warning}");
        }
        Ok(cookie.value)
    }

    /// The root of the release tree (absolute): the VM and run_erl run with it as `-root`.
    pub fn root(&self) -> PathBuf {
        match &self.release {
            ReleaseDir::Own(root) => root.clone(),
            ReleaseDir::Out(out) => out.join(self.embedded.release),
        }
    }

    /// The tree to run nodes from; this build's binary writes it first when it is missing or
    /// stale, and refuses to while a node of the release runs (the tree is its code, logs
    /// and working directory).
    pub fn tree(&self, sname: bool) -> Result<Tree, CliError> {
        if let ReleaseDir::Out(_) = self.release {
            let report = self.write(false, sname)?;
            // Said once, when the release is written, not at every start of a node.
            for warning in report.warnings.iter().filter(|_| report.built) {
                eprintln!("warning: {warning}");
            }
        }
        Tree::open(&self.root()).map_err(CliError::failure)
    }

    /// build-release: writes the tree unless it is up to date.
    pub fn write(&self, dev_mode: bool, sname: bool) -> Result<Report, CliError> {
        let options = self.options(dev_mode)?;
        let checked = assemble::check(&options).map_err(assemble_error)?;
        if !checked.up_to_date() {
            self.refuse_under_running_nodes(sname)?;
        }
        checked.ensure().map_err(CliError::failure)
    }

    /// tar-release, deb, oci-image: writes the tree unless it is up to date, then hands it
    /// over for packing (the build lock held until the shipment is dropped).
    pub fn ship(&self, sname: bool) -> Result<Shipment, CliError> {
        let options = self.options(false)?;
        let checked = assemble::check(&options).map_err(assemble_error)?;
        if !checked.up_to_date() {
            self.refuse_under_running_nodes(sname)?;
        }
        checked.ship().map_err(CliError::failure)
    }

    /// The Debian package's maintainer: `DEBFULLNAME <DEBEMAIL>` as dch takes them (or a
    /// `DEBEMAIL` of the form `Name <email>`), else the conventions'.
    pub fn maintainer(&self) -> Option<String> {
        let email = self.env.var("DEBEMAIL");
        match (self.env.var("DEBFULLNAME"), email) {
            (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
            (None, Some(email)) if email.contains('<') => Some(email.to_owned()),
            _ => self.conventions.maintainer.clone(),
        }
    }

    fn options(&self, dev_mode: bool) -> Result<Options<'a>, CliError> {
        match &self.release {
            ReleaseDir::Out(out) => Ok(Options {
                out: out.clone(),
                dev_mode,
                generate_cookie: self.conventions.default_cookie == DefaultCookie::Generated,
                otp: self.otp(),
                source_date_epoch: self.env.var("SOURCE_DATE_EPOCH").and_then(|s| s.trim().parse().ok()),
                ..Options::new(self.embedded, &self.profile)
            }),
            ReleaseDir::Own(root) => Err(CliError::new(
                exit::USAGE,
                format!(
                    "this binary is the release at {}: it runs that release as it is; a release is written by the \
                     binary cargo builds (`cargo run -- build-release`), on the build machine",
                    root.display()
                ),
            )),
        }
    }

    /// Refuses to rewrite the tree while any node type of the release holds its name here.
    fn refuse_under_running_nodes(&self, sname: bool) -> Result<(), CliError> {
        let running = self.running_nodes(sname)?;
        match running.is_empty() {
            true => Ok(()),
            false => Err(CliError::new(
                exit::ALREADY_RUNNING,
                format!(
                    "the release in {} is out of date (another spec, profile or binary) and would be rewritten, \
                     but {} runs from it: stop it first, then try again",
                    self.root().display(),
                    running.join(", ")
                ),
            )),
        }
    }

    /// The node types' names on this host that EPMD knows.
    fn running_nodes(&self, sname: bool) -> Result<Vec<String>, CliError> {
        let name_type = self.name_type(sname)?;
        let mut running = Vec::new();
        for node in &self.spec().nodes {
            let naming = Naming { node: Some(&node.name), name: None };
            let name = name_type.node_name(&self.target(&naming, name_type)?).map_err(launch_error)?;
            if self.registered(&name, Duration::from_secs(5)).map_err(super::remote::failed)? {
                running.push(name.to_string());
            }
        }
        for (name, _) in crate::node::pipes::recorded_nodes(&self.root(), &self.run_bases) {
            if !running.contains(&name.to_string()) {
                running.push(name.to_string());
            }
        }
        Ok(running)
    }

    /// NODE as given (`type` or `type@host`), else `$REL`, else the spec's default; always a
    /// declared node type.
    pub fn node_type(&self, given: Option<&str>) -> Result<String, CliError> {
        let given = given.or(self.env.var("REL")).unwrap_or(self.embedded.default_node).to_owned();
        let node_type = given.split('@').next().unwrap_or_default().to_owned();
        match self.embedded.nodes.contains(&node_type.as_str()) {
            true => Ok(node_type),
            false => {
                let declared = self.embedded.nodes;
                Err(CliError::new(
                    exit::UNKNOWN,
                    format!(
                        "`{node_type}` is not a node type of release {}; its node types are: {}",
                        self.embedded.release,
                        declared.join(", ")
                    ),
                ))
            }
        }
    }

    /// The node a command is about, named as `naming` says (see [`Naming`]): its name is
    /// `--name`'s (else `<PREFIX>_NODE`, else NODE's part before `@`, else the node type),
    /// its host the one given with it (else `<PREFIX>_HOST`, else this host's: its fully
    /// qualified name for long names, as Erlang's `-name` takes it).
    pub fn target(&self, naming: &Naming, name_type: NameType) -> Result<NodeName, CliError> {
        let flag = naming.name.map(str::to_owned).or_else(|| self.text(&self.conventions.var("NODE")));
        let given = match flag {
            Some(name) => name,
            None => match naming.node.map(str::to_owned).or_else(|| self.text("REL")) {
                Some(node) => node,
                None => self.embedded.default_node.to_owned(),
            },
        };
        let (name, host) = match given.split_once('@') {
            Some((name, host)) => (name.to_owned(), Some(host.to_owned())),
            None => (given, None),
        };
        if name.is_empty() || host.as_deref() == Some("") {
            return Err(CliError::new(
                exit::NODE_NAME,
                format!(
                    "`{}` is not a node name: write NAME or NAME@HOST",
                    naming.name.or(naming.node).unwrap_or_default()
                ),
            ));
        }
        let host = match host.or_else(|| self.text(&self.conventions.var("HOST"))) {
            Some(host) => host,
            None => local_host(name_type)?,
        };
        Ok(NodeName { name, host })
    }

    /// The node type of NODE when NODE names one of the release's (`type`, `type@host`);
    /// `None` for another node's full name, which commands that only talk to a node take.
    pub fn node_type_of(&self, naming: &Naming) -> Result<Option<String>, CliError> {
        match naming.node {
            Some(node) if node.contains('@') && naming.name.is_none() => {
                let prefix = node.split('@').next().unwrap_or_default();
                Ok(self.embedded.nodes.contains(&prefix).then(|| prefix.to_owned()))
            }
            node => self.node_type(node).map(Some),
        }
    }

    /// A variable's value, owned.
    fn text(&self, var: &str) -> Option<String> {
        self.env.var(var).map(str::to_owned)
    }
}

/// How a command names its node: NODE (`type`, `type@host`, or for commands that only talk
/// to a node any `name@host`) and `--name NAME[@HOST]`, which names a node of NODE's type
/// (several of one type run side by side: `start kazoo_apps --name kazoo_apps2`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Naming<'a> {
    pub node: Option<&'a str>,
    pub name: Option<&'a str>,
}

/// This host's name for nodes: the fully qualified name for long names (as Erlang's `-name`
/// finds it), the kernel's hostname for short ones. Read only when a command needs it.
/// A release that cannot be written: exit 1, or [`exit::XREF`] for a profile's xref refusal.
fn assemble_error(error: assemble::AssembleError) -> CliError {
    match error {
        assemble::AssembleError::Xref { .. } => CliError::new(exit::XREF, error.to_string()),
        error => CliError::failure(error),
    }
}

fn local_host(name_type: NameType) -> Result<String, CliError> {
    let hostname = crate::name::hostname().map_err(|e| CliError::new(exit::NODE_NAME, e.to_string()))?;
    Ok(match name_type {
        NameType::Long => crate::name::canonical_name(&hostname).unwrap_or(hostname),
        NameType::Short => hostname,
    })
}

/// The tree this binary serves: its own when it is a tree's `bin/<name>` (an `out` naming
/// another tree is then a mistake, said), else `<out>/<name>` (`out` default `_rel`).
fn release_dir(exe: &Path, name: &str, out: Option<PathBuf>) -> Result<ReleaseDir, CliError> {
    let absolute =
        |dir: &Path| std::path::absolute(dir).map_err(|e| CliError::failure(format!("{}: {e}", dir.display())));
    let Some(own) = Tree::root_of_binary(exe, name) else {
        let out = out.unwrap_or_else(|| PathBuf::from(assemble::DEFAULT_OUT));
        return Ok(ReleaseDir::Out(absolute(&out)?));
    };
    match out {
        Some(out) if !same_dir(&out.join(name), &own) => Err(CliError::new(
            exit::USAGE,
            format!(
                "this binary is the release at {}, but --out (or the release dir variable) names {}: \
                 run {}/bin/{name} for that release, or leave --out unset",
                own.display(),
                absolute(&out.join(name))?.display(),
                out.join(name).display()
            ),
        )),
        _ => Ok(ReleaseDir::Own(own)),
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub(super) fn launch_error(error: LaunchError) -> CliError {
    let code = match error {
        LaunchError::BadNameType(_) | LaunchError::LongNames { .. } => exit::NODE_NAME,
        LaunchError::NoErts { .. } => exit::FAILURE,
    };
    CliError::new(code, error.to_string())
}
