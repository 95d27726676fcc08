//! The one place a VM command is built, for every way kazoo runs one: console, foreground,
//! a daemon behind run_erl, and remote_console's shell node.
//!
//! The VM is `erlexec` of the release's own ERTS, else of the system's, run directly with
//! what an `erl` script would set: the boot scripts load from `$ROOT/lib`, `$ROOT` is the
//! VM's `-root`, which erlexec takes from `ROOTDIR` (Debian's `erl` script pins that to
//! /usr/lib/erlang). EPMD is started by kazoo itself, as erlexec would but without its
//! `system()`: no shell is needed to run a node (an OCI image has none).

use std::ffi::OsString;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};

use crate::tree::Tree;
use std::process::Command;

use super::NodeName;
use crate::apps::{OtpInstall, OtpSearch};
use crate::assemble::NodeFiles;

/// Where the VM writes its crash dump (see [`Launch::crash_dump`]).
pub const CRASH_DUMP_ENV: &str = "ERL_CRASH_DUMP";

/// Chooses short names when set to `-sname`, as Kazoo's start script allows.
pub const NAME_TYPE_ENV: &str = "NODE_NAME_TYPE";

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("{NAME_TYPE_ENV} is `{0}`: set it to -name or -sname")]
    BadNameType(String),
    #[error(
        "long node names need a host name that resolves, and `{host}` does not ({detail}): \
         add `127.0.1.1 {host}.localdomain {host}` to /etc/hosts, or use short names \
         (--sname, or {NAME_TYPE_ENV}=-sname)"
    )]
    LongNames { host: String, detail: String },
    #[error(
        "the release does not include ERTS and runs on the host's ERTS {vsn}, but {found}: \
         install the Erlang/OTP whose ERTS is {vsn} (ERL_ROOT names its root), or build the release with include_erts"
    )]
    NoErts { vsn: String, found: String },
}

/// `-name` (Kazoo's default) or `-sname`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameType {
    Long,
    Short,
}

impl NameType {
    /// Short with `--sname` (`sname`), else as `name_type` (the value of `$NODE_NAME_TYPE`)
    /// says, else long.
    pub fn choose(sname: bool, name_type: Option<&str>) -> Result<NameType, LaunchError> {
        match (sname, name_type) {
            (true, _) | (false, Some("-sname")) => Ok(NameType::Short),
            (false, None | Some("-name" | "")) => Ok(NameType::Long),
            (false, Some(other)) => Err(LaunchError::BadNameType(other.to_owned())),
        }
    }

    fn flag(self) -> &'static str {
        match self {
            NameType::Long => "-name",
            NameType::Short => "-sname",
        }
    }

    /// `name` as a node of this type is named: a short name keeps the host's first label.
    /// A long name needs a host that resolves (the node's own EPMD registration and every
    /// peer look it up); checked here, in-process, rather than by a VM failing to boot.
    pub fn node_name(self, name: &NodeName) -> Result<NodeName, LaunchError> {
        let host = match self {
            NameType::Short => short_host(self, name).host,
            NameType::Long => {
                let resolved = (name.host.as_str(), 0).to_socket_addrs().map(|mut a| a.next().is_some());
                match resolved {
                    Ok(true) => name.host.clone(),
                    Ok(false) => return Err(long_names(&name.host, "no address".into())),
                    Err(e) => return Err(long_names(&name.host, e.to_string())),
                }
            }
        };
        Ok(NodeName { name: name.name.clone(), host })
    }

    /// The name type of a shell node that connects to a node named `target` with this
    /// type. Erlang refuses a long-name connection to a host without a dot (that is not an
    /// IP address), such as `vm`; the target accepts a short-name peer, so use that.
    fn to_reach(self, target: &NodeName) -> NameType {
        let dotless = !target.host.contains('.') && target.host.parse::<std::net::IpAddr>().is_err();
        match self {
            NameType::Long if dotless => NameType::Short,
            other => other,
        }
    }
}

/// `name` with only the first label of its host when `name_type` is short.
fn short_host(name_type: NameType, name: &NodeName) -> NodeName {
    let host = match name_type {
        NameType::Short => name.host.split('.').next().unwrap_or_default(),
        NameType::Long => &name.host,
    };
    NodeName { name: name.name.clone(), host: host.to_owned() }
}

fn words(words: &[&std::ffi::OsStr]) -> Vec<OsString> {
    words.iter().map(|w| w.to_os_string()).collect()
}

fn long_names(host: &str, detail: String) -> LaunchError {
    LaunchError::LongNames { host: host.to_owned(), detail }
}

/// The runtime a release runs on.
#[derive(Debug, Clone)]
pub struct Erts {
    /// `erts-<vsn>/bin`: erlexec, epmd, run_erl, to_erl.
    bin: PathBuf,
}

impl Erts {
    /// The tree's own ERTS when it has one, else the host's Erlang/OTP, which must have the
    /// very ERTS version the tree was built for (its boot scripts load that kernel).
    /// `otp` says where the host's is.
    pub fn of_tree(tree: &Tree, otp: &OtpSearch) -> Result<Erts, LaunchError> {
        if tree.erts_bin().join("erlexec").is_file() {
            return Ok(Erts { bin: tree.erts_bin() });
        }
        let wanted = &tree.erts_vsn;
        let otp =
            OtpInstall::detect(otp).map_err(|e| LaunchError::NoErts { vsn: wanted.clone(), found: e.to_string() })?;
        let bin = otp.root.join(format!("erts-{wanted}")).join("bin");
        match bin.join("erlexec").is_file() {
            true => Ok(Erts { bin }),
            false => Err(LaunchError::NoErts {
                vsn: wanted.clone(),
                found: format!("the Erlang/OTP at {} has ERTS {}", otp.root.display(), otp.erts_vsn),
            }),
        }
    }

    /// A program of ERTS: `run_erl`, `to_erl`.
    pub fn tool(&self, name: &str) -> PathBuf {
        self.bin.join(name)
    }

    /// The program that starts a VM with `root` as its root, and the environment it needs.
    fn erl(&self, root: &Path) -> (PathBuf, Vec<(&'static str, OsString)>) {
        let env = vec![
            ("ROOTDIR", root.into()),
            ("BINDIR", self.bin.clone().into()),
            ("EMU", "beam".into()),
            ("PROGNAME", "erl".into()),
        ];
        (self.bin.join("erlexec"), env)
    }
}

/// EPMD would not run.
#[derive(Debug, thiserror::Error)]
#[error("cannot run {}: {source}", program.display())]
pub struct EpmdError {
    pub program: PathBuf,
    pub source: std::io::Error,
}

/// A VM to run: program, arguments, environment and working directory.
#[derive(Debug, Clone)]
pub struct Vm {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(&'static str, OsString)>,
    pub cwd: PathBuf,
    /// ERTS's `epmd`, which [`Vm::start_epmd`] runs (the VM is told not to); none for a
    /// VM at a fixed port, which needs no EPMD.
    pub epmd: Option<PathBuf>,
}

impl Vm {
    /// `epmd -daemon`, as erlexec runs it before the VM (a second one, with one already
    /// listening, ends at once); its exit status is not the VM's business, as for erlexec.
    pub fn start_epmd(&self) -> Result<(), EpmdError> {
        let Some(epmd) = &self.epmd else { return Ok(()) };
        let status = Command::new(epmd).arg("-daemon").current_dir(&self.cwd).status();
        status.map(drop).map_err(|source| EpmdError { program: epmd.clone(), source })
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).envs(self.env.iter().map(|(k, v)| (k, v))).current_dir(&self.cwd);
        command
    }

    /// The command as words of a `sh -c` line (run_erl takes one); the environment goes
    /// on run_erl's own process, which the VM inherits.
    pub fn shell_words(&self) -> String {
        let words = std::iter::once(self.program.as_os_str()).chain(self.args.iter().map(OsString::as_os_str));
        let quoted: Vec<String> = words.map(|w| shell_quote(&w.to_string_lossy())).collect();
        quoted.join(" ")
    }
}

/// `word` as one word of a shell line, whatever it holds.
pub fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// How a VM's distribution runs: over TLS with its optfile (see [`super::tls`]), and at one
/// fixed port registered with no EPMD (OTP's `-erl_epmd_port`, as relx sets it from
/// `ERL_DIST_PORT`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Dist<'a> {
    pub tls_optfile: Option<&'a Path>,
    pub port: Option<u16>,
}

impl Dist<'_> {
    /// The VM's flags; a shell node (`listens` false) reaches nodes at the port without
    /// listening on it itself, which the node it reaches already does on this host.
    fn args(&self, listens: bool) -> Vec<OsString> {
        let mut args = words(&["-start_epmd".as_ref(), "false".as_ref()]);
        if let Some(optfile) = self.tls_optfile {
            args.extend(words(&[
                "-proto_dist".as_ref(),
                "inet_tls".as_ref(),
                "-ssl_dist_optfile".as_ref(),
                optfile.as_ref(),
            ]));
        }
        if let Some(port) = self.port {
            args.extend(words(&["-erl_epmd_port".as_ref(), port.to_string().as_ref()]));
            if !listens {
                args.extend(words(&["-dist_listen".as_ref(), "false".as_ref()]));
            }
        }
        args
    }
}

/// What the VM is.
pub enum Role<'a> {
    /// A node of the release, with an interactive shell (console, and daemons, whose
    /// shell is on run_erl's pipe) or without (foreground).
    Node { name: &'a NodeName, files: &'a NodeFiles, shell: bool },
    /// A hidden node whose shell runs on `target` (`erl -remsh`), with the target's
    /// `net_ticktime` (peers with different tick times drop each other).
    /// The shell node is named `<helper>_remsh_<pid>`.
    Remsh { target: &'a NodeName, ticktime: u32, helper: &'a str },
}

/// Where and how VMs of one release run.
pub struct Launch<'a> {
    pub tree: &'a Tree,
    pub erts: &'a Erts,
    pub name_type: NameType,
    /// The private HOME holding the cookie (see [`super::home`]).
    pub home: &'a Path,
    /// The VM's working directory, writable: relative paths of sys.config (lager's
    /// `log/error.log`) and the crash dump land there, never in the tree, which may be
    /// read-only, nor where the operator happens to stand.
    pub cwd: &'a Path,
    /// `$ERL_CRASH_DUMP` as the operator set it; else the VM's dump goes to its working directory.
    pub crash_dump: Option<&'a Path>,
    pub dist: Dist<'a>,
}

impl Launch<'_> {
    /// The VM command for `role`. Never carries the cookie: the VM reads it from HOME.
    pub fn vm(&self, role: Role) -> Vm {
        let (program, mut env) = self.erts.erl(self.tree.root());
        env.push(("HOME", self.home.into()));
        let crash_dump = self.crash_dump.map_or_else(|| self.cwd.join("erl_crash.dump"), Path::to_owned);
        env.push((CRASH_DUMP_ENV, crash_dump.into()));
        let args = match role {
            Role::Node { name, files, shell } => {
                let name = name.to_string();
                let mut args =
                    words(&[self.name_type.flag().as_ref(), name.as_ref(), "-boot".as_ref(), files.boot.as_ref()]);
                args.extend(self.dist.args(true));
                args.extend(words(&[
                    "-config".as_ref(),
                    files.config.as_ref(),
                    "-args_file".as_ref(),
                    files.args.as_ref(),
                ]));
                if !shell {
                    args.extend(words(&["-noshell".as_ref(), "-noinput".as_ref()]));
                }
                args
            }
            Role::Remsh { target, ticktime, helper } => {
                let name_type = self.name_type.to_reach(target);
                // Unique per process, so that two operators' consoles never clash.
                let me = NodeName { name: format!("{helper}_remsh_{}", std::process::id()), host: target.host.clone() };
                let me = short_host(name_type, &me).to_string();
                let (target, ticktime) = (target.to_string(), ticktime.to_string());
                let boot = self.tree.layout.vsn_dir().join("start_clean");
                let mut args = words(&[
                    "-hidden".as_ref(),
                    name_type.flag().as_ref(),
                    me.as_ref(),
                    "-remsh".as_ref(),
                    target.as_ref(),
                ]);
                args.extend(self.dist.args(false));
                args.extend(words(&[
                    "-boot".as_ref(),
                    boot.as_ref(),
                    "-kernel".as_ref(),
                    "net_ticktime".as_ref(),
                    ticktime.as_ref(),
                ]));
                args
            }
        };
        let epmd = self.dist.port.is_none().then(|| self.erts.tool("epmd"));
        Vm { program, args, env, cwd: self.cwd.to_owned(), epmd }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(host: &str) -> NodeName {
        NodeName { name: "kazoo_apps".into(), host: host.into() }
    }

    #[test]
    fn shell_nodes_use_short_names_to_reach_a_dotless_host() {
        assert_eq!(NameType::Long.to_reach(&name("vm")), NameType::Short);
        assert_eq!(NameType::Long.to_reach(&name("db1.example.com")), NameType::Long);
        assert_eq!(NameType::Long.to_reach(&name("127.0.0.1")), NameType::Long);
        assert_eq!(NameType::Short.to_reach(&name("vm")), NameType::Short);
    }

    #[test]
    fn short_names_keep_the_first_label() {
        assert_eq!(NameType::Short.node_name(&name("a.b.c")).unwrap().host, "a");
        assert_eq!(NameType::Long.node_name(&name("localhost")).unwrap().host, "localhost");
    }

    #[test]
    fn the_name_type_comes_from_the_flag_then_the_value_given() {
        assert_eq!(NameType::choose(true, Some("-name")).unwrap(), NameType::Short);
        assert_eq!(NameType::choose(false, Some("-sname")).unwrap(), NameType::Short);
        assert_eq!(NameType::choose(false, None).unwrap(), NameType::Long);
        let err = NameType::choose(false, Some("-weird")).unwrap_err().to_string();
        assert_eq!(err, "NODE_NAME_TYPE is `-weird`: set it to -name or -sname");
    }

    #[test]
    fn the_shell_line_quotes_every_word() {
        let (program, epmd) = ("/e/erl".into(), Some("/e/epmd".into()));
        let vm = Vm { program, args: vec!["-x".into(), "it's".into()], env: vec![], cwd: "/".into(), epmd };
        assert_eq!(vm.shell_words(), r"'/e/erl' '-x' 'it'\''s'");
    }
}
