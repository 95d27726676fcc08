//! console, foreground, start, attach, remote_console and status: running the release's
//! nodes on this host. `stop`, `ping` and `pid` are remote commands (remote.rs).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};

use super::cluster;
use super::context::launch_error;
use super::context::Naming;
use super::cookie::cookie_error;
use super::remote::{failed, seconds};
use super::{exit, CliError, Context};
use crate::assemble::NodeFiles;
use crate::conventions::DefaultCookie;
use crate::dist::{Client, DistError};
use crate::node::daemon::{self, DaemonError};
use crate::node::home::PrivateHome;
use crate::node::hooks::{self, HookEnv, Point};
use crate::node::launch::{Dist, Erts, Launch, NameType, Role};
use crate::node::overrides::{self, OverrideError};
use crate::node::pipes::{recorded_nodes, PipeError, RunDirs};
use crate::node::subst;
use crate::node::supervise::{self, Terminal};
use crate::node::{check_cookie, NodeName};
use crate::spec::DistMode;
use crate::tree::Tree;

#[derive(Subcommand)]
pub enum NodeCommand {
    /// Run the node with a shell in this terminal (quit with ^G q).
    Console(Run),
    /// Run the node without a shell, logging to stdout, until SIGTERM or ^C stops it (for
    /// systemd and runit); exits with the VM's status.
    Foreground(Run),
    /// Start the node as a daemon behind a pipe; return once it answers and has booted.
    Start {
        #[command(flatten)]
        run: Run,
        /// Seconds to wait for the node to answer and finish booting before killing it.
        #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = seconds)]
        timeout: Duration,
    },
    /// The shell of a node started with `start`, through its pipe (detach with ^D).
    Attach(Run),
    /// A shell on the running node from a hidden node of its own (quit with ^G q).
    #[command(name = "remote_console", visible_alias = "remote-console")]
    RemoteConsole(Run),
    /// Every node type of the release on this host: running or not, OS pid, name, uptime.
    Status {
        /// As JSON: a list of {node_type, node, running, pid, uptime_seconds, error}.
        #[arg(long)]
        json: bool,
        /// The cookie [default: each node type's, as for ping].
        #[arg(long)]
        cookie: Option<String>,
        /// The nodes use short names (-sname).
        #[arg(long)]
        sname: bool,
        /// Every node of the cluster: those a running node of this host (or --node) is
        /// connected to, with host, node type, OS pid, uptime and release.
        #[arg(long)]
        cluster: bool,
        /// The node to ask for the cluster [default: a running node of this host].
        #[arg(long, value_name = "NAME@HOST", requires = "cluster")]
        node: Option<String>,
        /// Seconds to wait for each node's answer; one that does not is unreachable.
        #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = seconds)]
        timeout: Duration,
    },
}

/// Which node, from which release.
#[derive(Args)]
pub struct Run {
    /// The node type, `type` or `type@host` (default: $REL, else the release's default node).
    node: Option<String>,
    /// The node's name, when not its type's (several nodes of one type on one host); also
    /// the release's NODE variable. The host: this one's, or the release's HOST variable.
    #[arg(long, value_name = "NAME[@HOST]")]
    name: Option<String>,
    /// The node's cookie [default: the release's cookie sources].
    #[arg(long)]
    cookie: Option<String>,
    /// Short node names (-sname) instead of long ones (-name); also NODE_NAME_TYPE=-sname.
    #[arg(long)]
    sname: bool,
}

impl NodeCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            NodeCommand::Console(run) => run.attached(context, Terminal::Shared),
            NodeCommand::Foreground(run) => run.attached(context, Terminal::Detached),
            NodeCommand::Start { run, timeout } => run.start(context, timeout),
            NodeCommand::Attach(run) => run.attach(context),
            NodeCommand::RemoteConsole(run) => run.remote_console(context),
            NodeCommand::Status { json, cookie, sname, cluster: false, .. } => {
                status(context, cookie.as_deref(), sname, json)
            }
            NodeCommand::Status { json, cookie, sname, cluster: true, node, timeout } => {
                cluster_status(context, cookie.as_deref(), sname, node.as_deref(), timeout, json)
            }
        }
    }
}

/// Everything a node of the release needs to start, the release materialised first.
struct Prepared {
    name: NodeName,
    node_type: String,
    name_type: NameType,
    cookie: String,
    tree: Tree,
    erts: Erts,
    dirs: RunDirs,
    /// Dropped (cookie and substituted files with it) once the VM has read them.
    home: PrivateHome,
    files: NodeFiles,
    /// `$ERL_CRASH_DUMP`, when the operator set it.
    crash_dump: Option<std::path::PathBuf>,
    /// The TLS optfile in `home`, for a TLS node.
    tls_optfile: Option<std::path::PathBuf>,
    /// The one port of nodes without EPMD.
    dist_port: Option<u16>,
}

impl Prepared {
    /// Runs the release's hook at `point`, if it has one (see [`crate::node::hooks`]).
    fn hook(&self, context: &Context, point: Point, client: Option<&mut Client>) -> Result<(), CliError> {
        let Some(hook) = hook_at(context, point) else { return Ok(()) };
        let env = HookEnv {
            root: self.tree.root(),
            release: &context.spec().name,
            vsn: self.tree.vsn(),
            node: &self.name,
            node_type: &self.node_type,
        };
        hooks::run(point, hook, &env, client).map_err(|e| CliError::new(exit::HOOK_FAILED, e.to_string()))
    }

    /// The post_start hook on the booted node.
    fn post_start(&self, context: &Context) -> Result<(), CliError> {
        if hook_at(context, Point::PostStart).is_none() {
            return Ok(());
        }
        let mut client = context.connect(&self.name, &self.cookie, Duration::from_secs(30)).map_err(failed)?;
        self.hook(context, Point::PostStart, Some(&mut client))
    }

    /// console and foreground: the post_start hook once the node is up, unless the VM
    /// exits first; a failure is said, the node runs on.
    fn post_start_once_up(&self, context: &Context, vm_exited: &std::sync::atomic::AtomicBool) {
        if hook_at(context, Point::PostStart).is_none() {
            return;
        }
        let Ok(apps) = awaited_apps(context, &self.tree, &self.node_type) else { return };
        let Ok(reach) = context.reach() else { return };
        let awaited = daemon::Awaited {
            name: &self.name,
            cookie: &self.cookie,
            reach,
            apps: &apps,
            timeout: Duration::from_secs(1),
        };
        while !vm_exited.load(std::sync::atomic::Ordering::SeqCst) {
            if let daemon::Readiness::Up(_) = daemon::readiness(&awaited) {
                if let Err(e) = self.post_start(context) {
                    eprintln!("warning: {e} (the node runs on)");
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn launch(&self) -> Launch<'_> {
        Launch {
            tree: &self.tree,
            erts: &self.erts,
            name_type: self.name_type,
            home: self.home.path(),
            cwd: &self.dirs.log,
            crash_dump: self.crash_dump.as_deref(),
            dist: Dist { tls_optfile: self.tls_optfile.as_deref(), port: self.dist_port },
        }
    }

    fn node_vm(&self, shell: bool) -> crate::node::launch::Vm {
        self.launch().vm(Role::Node { name: &self.name, files: &self.files, shell })
    }
}

impl Run {
    fn attached(self, context: &Context, terminal: Terminal) -> Result<(), CliError> {
        let node = self.prepare(context)?;
        refuse_if_running(context, &node)?;
        node.hook(context, Point::PreStart, None)?;
        let vm = node.node_vm(terminal == Terminal::Shared);
        vm.start_epmd().map_err(CliError::failure)?;
        let notifier =
            super::service::notifier(context, &node.tree, &node.name, &node.cookie, self.node.as_deref(), terminal)?;
        let record = |pid| node.dirs.record_pid(pid).map(|()| notifier.spawned(pid));
        let vm_exited = std::sync::atomic::AtomicBool::new(false);
        let status = std::thread::scope(|scope| {
            scope.spawn(|| node.post_start_once_up(context, &vm_exited));
            let status = supervise::run_with(vm.command(), terminal, record, notifier.on_stop());
            vm_exited.store(true, std::sync::atomic::Ordering::SeqCst);
            status
        });
        notifier.stopping();
        node.dirs.forget_pid();
        exit_with(status, &vm.program)
    }

    fn start(self, context: &Context, timeout: Duration) -> Result<(), CliError> {
        let node = self.prepare(context)?;
        refuse_if_running(context, &node)?;
        let vm = node.node_vm(true);
        let apps = awaited_apps(context, &node.tree, &node.node_type)?;
        let awaited = daemon::Awaited {
            name: &node.name,
            cookie: &node.cookie,
            reach: context.reach().map_err(failed)?,
            apps: &apps,
            timeout,
        };
        node.hook(context, Point::PreStart, None)?;
        let pid = daemon::start(&vm, &node.erts, &node.dirs, &awaited).map_err(daemon_error)?;
        node.dirs.record_pid(pid).map_err(|e| {
            CliError::new(exit::RUN_DIR, format!("cannot record the VM's pid in {}: {e}", node.dirs.pipe.display()))
        })?;
        super::print(format_args!(
            "started {} (OS pid {pid}); its console log is in {}\n",
            node.name,
            node.dirs.log.display()
        ))?;
        node.post_start(context)
    }

    fn attach(self, context: &Context) -> Result<(), CliError> {
        let (name, _) = self.name(context)?;
        let tree = Tree::open(&context.root()).map_err(CliError::failure)?;
        let dirs = context.run_dirs(tree.root(), &name);
        if dirs.pipes().is_empty() {
            let cookie = self.cookie(context)?;
            let message = match is_running(context, &name, &cookie) {
                Some(_) => format!(
                    "node {name} runs but was not started with `start` (no pipe in {}): use `remote_console`",
                    dirs.pipe.display()
                ),
                None => format!("node {name} is not running: start it with `start`"),
            };
            return Err(CliError::new(exit::NO_PIPE, message));
        }
        let erts = Erts::of_tree(&tree, &context.otp()).map_err(launch_error)?;
        let mut to_erl = std::process::Command::new(erts.tool("to_erl"));
        to_erl.arg(format!("{}/", dirs.pipe.display()));
        exit_with(supervise::run(to_erl, Terminal::Shared, |_| Ok(())), &erts.tool("to_erl"))
    }

    fn remote_console(self, context: &Context) -> Result<(), CliError> {
        let node = self.prepare(context)?;
        let ticktime = ticktime(context, &node.name, &node.cookie)?;
        let vm =
            node.launch().vm(Role::Remsh { target: &node.name, ticktime, helper: &context.conventions.helper_prefix });
        vm.start_epmd().map_err(CliError::failure)?;
        exit_with(supervise::run(vm.command(), Terminal::Shared, |_| Ok(())), &vm.program)
    }

    fn name(&self, context: &Context) -> Result<(NodeName, NameType), CliError> {
        let name_type = context.name_type(self.sname)?;
        let naming = Naming { node: self.node.as_deref(), name: self.name.as_deref() };
        let name = name_type.node_name(&context.target(&naming, name_type)?).map_err(launch_error)?;
        Ok((name, name_type))
    }

    fn cookie(&self, context: &Context) -> Result<String, CliError> {
        let node_type = context.node_type(self.node.as_deref())?;
        let cookie = context.cookie(self.cookie.as_deref(), &node_type)?;
        check_cookie(&cookie).map_err(cookie_error)?;
        Ok(cookie)
    }

    fn prepare(&self, context: &Context) -> Result<Prepared, CliError> {
        let node_type = context.node_type(self.node.as_deref())?;
        let (name, name_type) = self.name(context)?;
        if name_type == NameType::Long && !name.host.contains('.') && name.host.parse::<std::net::IpAddr>().is_err() {
            eprintln!(
                "note: host `{}` has no dot, so other nodes with long names cannot connect to {name} (Erlang takes \
                 only a fully qualified name or an address for -name); set {} to this host's fully qualified name or \
                 address for a cluster, or use short names (--sname)",
                name.host,
                context.conventions.var("HOST")
            );
        }
        // A generated cookie is written with the tree; any other is checked before the tree
        // is touched, so that a broken config.ini is said first.
        let early = match context.conventions.default_cookie {
            DefaultCookie::Generated => None,
            DefaultCookie::WellKnown(_) => Some(self.cookie(context)?),
        };
        let tree = context.tree(self.sname)?;
        let cookie = match early {
            Some(cookie) => cookie,
            None => self.cookie(context)?,
        };
        let erts = Erts::of_tree(&tree, &context.otp()).map_err(launch_error)?;
        let dirs = context.run_dirs(tree.root(), &name);
        dirs.create_log_dir().map_err(pipe_error)?;
        let pipe_dir = dirs.create_pipe_dir().map_err(pipe_error)?;
        let home = PrivateHome::create(pipe_dir, &cookie).map_err(|e| {
            CliError::new(exit::RUN_DIR, format!("cannot make a private HOME in {}: {e}", pipe_dir.display()))
        })?;
        let lookup = |var: &str| context.env.var(var).map(str::to_owned);
        let files = overrides::node_files(
            &tree.node_files(&node_type),
            &context.config_dir(),
            &node_type,
            home.path(),
            context.replaces_os_vars().then_some(&lookup as subst::Lookup),
        )
        .map_err(override_error)?;
        let crash_dump = context.crash_dump();
        let tls_optfile = match context.dist_mode()? {
            DistMode::Tcp => None,
            DistMode::Tls => Some(tls_optfile(context, &tree, &node_type, home.path())?),
        };
        let dist_port = context.dist_port()?;
        Ok(Prepared {
            name,
            node_type: node_type.clone(),
            name_type,
            cookie,
            tree,
            erts,
            dirs,
            home,
            files,
            crash_dump,
            tls_optfile,
            dist_port,
        })
    }
}

/// The optfile of a TLS node of `node_type`, written into its private HOME from the
/// operator's files, which are checked first (readable, the key closed to others); the node
/// type must carry `ssl`, which TLS distribution starts with the kernel.
fn tls_optfile(context: &Context, tree: &Tree, node_type: &str, home: &Path) -> Result<PathBuf, CliError> {
    context.reach().map_err(failed)?;
    let entries = tree.rel_entries(node_type).map_err(CliError::failure)?;
    if !entries.iter().any(|e| e.name == "ssl") {
        let var = context.conventions.var("DIST");
        let why = match context.env.var(&var) {
            Some(_) => format!("{var} is tls; unset it or set it to tcp, or"),
            None => "the release says so;".to_owned(),
        };
        return Err(CliError::new(
            exit::NODE_CONFIG,
            format!(
                "node type {node_type} of this release has no ssl, which TLS distribution needs ({why} build the \
                 release with `dist = tls` in #[release(...)] or a profile, which adds it)"
            ),
        ));
    }
    crate::node::tls::write_optfile(home, &context.tls_files())
        .map_err(|e| CliError::new(exit::RUN_DIR, format!("cannot write the TLS options into {}: {e}", home.display())))
}

/// `Some(reason)` when a node named `name` answers, or holds the name but rejects us.
fn is_running(context: &Context, name: &NodeName, cookie: &str) -> Option<String> {
    match context.connect(name, cookie, Duration::from_secs(5)) {
        Ok(_) => Some("it answers".into()),
        Err(DistError::NotRegistered { .. } | DistError::EpmdDown { .. } | DistError::NotListening { .. }) => None,
        Err(e) => Some(e.to_string()),
    }
}

/// Refuses a node that answers, holds its name, or whose recorded VM still runs (EPMD may
/// be gone while the VM runs on).
fn refuse_if_running(context: &Context, node: &Prepared) -> Result<(), CliError> {
    let name = &node.name;
    let recorded = node.dirs.recorded_vm(name).map(|pid| format!("its VM, OS pid {pid}, runs"));
    match recorded.or_else(|| is_running(context, name, &node.cookie)) {
        None => Ok(()),
        Some(why) => Err(CliError::new(
            exit::ALREADY_RUNNING,
            format!("node {name} is already running ({why}): stop it first (`stop`), or attach to it (`attach`, `remote_console`)"),
        )),
    }
}

/// The running node's `net_ticktime`, for a shell node that must tick alike.
fn ticktime(context: &Context, name: &NodeName, cookie: &str) -> Result<u32, CliError> {
    let mut client = context.connect(name, cookie, Duration::from_secs(30)).map_err(failed)?;
    let value = client.eval("net_kernel:get_net_ticktime()", &mut io::sink()).map_err(failed)?;
    // `{ongoing_change_to, T}` while it changes; 60 is Erlang's default.
    Ok(value.trim_matches(|c: char| !c.is_ascii_digit()).parse().unwrap_or(60))
}

/// The VM's (or to_erl's) exit status as ours.
fn exit_with(status: io::Result<i32>, program: &std::path::Path) -> Result<(), CliError> {
    match status {
        Ok(0) => Ok(()),
        Ok(code) => Err(CliError::new(
            u8::try_from(code).unwrap_or(exit::FAILURE),
            format!("{} exited with status {code}", program.display()),
        )),
        Err(e) => Err(CliError::failure(format!("cannot run {}: {e}", program.display()))),
    }
}

/// One node type's state on this host.
#[derive(serde::Serialize)]
struct NodeStatus {
    node_type: String,
    node: String,
    running: bool,
    pid: Option<u32>,
    uptime_seconds: Option<u64>,
    /// Why the node could not be asked (a rejected cookie), when it holds its name.
    error: Option<String>,
    /// What else to know: a VM that runs although EPMD does not know it.
    note: Option<String>,
}

/// Every node type of the release under its own name, and every other node recorded as
/// running from this tree (`--name`d ones), as each runs (or not) on this host.
fn statuses(context: &Context, cookie: Option<&str>, sname: bool) -> Result<Vec<NodeStatus>, CliError> {
    let name_type = context.name_type(sname)?;
    let mut nodes = Vec::new();
    for node in &context.spec().nodes {
        let naming = Naming { node: Some(&node.name), name: None };
        nodes.push((
            name_type.node_name(&context.target(&naming, name_type)?).map_err(launch_error)?,
            node.name.clone(),
        ));
    }
    for (name, node_type) in recorded_nodes(&context.root(), &context.run_bases) {
        if !nodes.iter().any(|(listed, _)| *listed == name) {
            nodes.push((name, node_type));
        }
    }
    nodes
        .iter()
        .map(|(name, node_type)| Ok(node_status(context, node_type, name, &context.cookie(cookie, node_type)?)))
        .collect()
}

fn status(context: &Context, cookie: Option<&str>, sname: bool, json: bool) -> Result<(), CliError> {
    let statuses = statuses(context, cookie, sname)?;
    let mut out = io::stdout().lock();
    let printed = match json {
        true => writeln!(out, "{}", serde_json::to_string_pretty(&statuses).unwrap_or_default()),
        false => print_table(&statuses, &mut out),
    };
    printed.map_err(CliError::output)
}

/// `status --cluster`: the nodes `node` (else the first running node of this host) is
/// connected to, and itself.
fn cluster_status(
    context: &Context,
    cookie: Option<&str>,
    sname: bool,
    node: Option<&str>,
    timeout: Duration,
    json: bool,
) -> Result<(), CliError> {
    let name_type = context.name_type(sname)?;
    let (seed, node_type) = match node {
        Some(node) => {
            let naming = Naming { node: Some(node), name: None };
            (
                context.target(&naming, name_type)?,
                context.node_type_of(&naming)?.unwrap_or_else(|| context.embedded.default_node.to_owned()),
            )
        }
        None => {
            let running = statuses(context, cookie, sname)?.into_iter().find(|s| s.running && s.error.is_none());
            let running = running.ok_or_else(|| {
                CliError::new(
                    exit::NOT_RUNNING,
                    "no node of the release runs on this host: start one, or ask one elsewhere with --node NAME@HOST",
                )
            })?;
            let naming = Naming { node: Some(&running.node), name: None };
            (context.target(&naming, name_type)?, running.node_type)
        }
    };
    let members = cluster::members(context, &seed, &context.cookie(cookie, &node_type)?, timeout)?;
    let mut out = io::stdout().lock();
    let printed = match json {
        true => writeln!(out, "{}", serde_json::to_string_pretty(&members).unwrap_or_default()),
        false => cluster::print_table(&members, &mut out),
    };
    printed.map_err(CliError::output)
}

fn node_status(context: &Context, node_type: &str, name: &NodeName, cookie: &str) -> NodeStatus {
    let mut status = NodeStatus {
        node_type: node_type.into(),
        node: name.to_string(),
        running: false,
        pid: None,
        uptime_seconds: None,
        error: None,
        note: None,
    };
    let asked = context.connect(name, cookie, Duration::from_secs(5)).and_then(|mut client| {
        let pid = client.os_pid()?;
        let uptime = client.eval("element(1, erlang:statistics(wall_clock)) div 1000", &mut io::sink())?;
        Ok((pid, uptime.trim().parse().ok()))
    });
    match asked {
        Ok((pid, uptime)) => (status.running, status.pid, status.uptime_seconds) = (true, Some(pid), uptime),
        // At a fixed port, another node answering is this one not running.
        Err(
            e @ (DistError::NotRegistered { .. }
            | DistError::EpmdDown { .. }
            | DistError::NotListening { .. }
            | DistError::OtherNode { .. }),
        ) => {
            let dirs = context.run_dirs(&context.root(), name);
            if let Some(pid) = dirs.recorded_vm(name) {
                let note = format!("its VM runs, but it cannot be reached: {e}; is EPMD gone? `stop` still stops it");
                (status.running, status.pid, status.note) = (true, Some(pid), Some(note));
            }
        }
        // It holds the name but cannot be asked (another cookie): its pid is what was recorded.
        Err(e) => {
            let pid = context.run_dirs(&context.root(), name).recorded_vm(name);
            (status.running, status.pid, status.error) = (true, pid, Some(e.to_string()));
        }
    }
    status
}

fn print_table(statuses: &[NodeStatus], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{:<12} {:<32} {:<8} {:>8} {:>10}", "TYPE", "NODE", "STATUS", "PID", "UPTIME")?;
    for s in statuses {
        let state = if s.error.is_some() {
            "unknown"
        } else if s.running {
            "running"
        } else {
            "stopped"
        };
        let pid = s.pid.map_or("-".into(), |p| p.to_string());
        let uptime = s.uptime_seconds.map_or("-".into(), |u| format!("{u}s"));
        writeln!(out, "{:<12} {:<32} {state:<8} {pid:>8} {uptime:>10}", s.node_type, s.node)?;
        for said in s.error.iter().chain(&s.note) {
            writeln!(out, "  {said}")?;
        }
    }
    Ok(())
}

fn pipe_error(error: PipeError) -> CliError {
    CliError::new(exit::RUN_DIR, error.to_string())
}

fn override_error(error: OverrideError) -> CliError {
    CliError::new(exit::NODE_CONFIG, error.to_string())
}

fn daemon_error(error: DaemonError) -> CliError {
    let code = match error {
        DaemonError::CookieRejected { .. } => exit::COOKIE_REJECTED,
        _ => exit::START_FAILED,
    };
    CliError::new(code, error.to_string())
}

/// The applications whose running makes a node of `node_type` ready: for `start`,
/// foreground's READY=1 and the post_start hook alike (see [`daemon::awaited_apps`]).
pub(super) fn awaited_apps(context: &Context, tree: &Tree, node_type: &str) -> Result<Vec<String>, CliError> {
    let spec = context.spec();
    let own = spec.nodes.iter().filter(|node| node.name == node_type).flat_map(|node| &node.apps);
    let named: Vec<&str> = spec.base_apps.iter().chain(own).map(|app| app.name.as_str()).collect();
    Ok(daemon::awaited_apps(tree.started_apps(node_type).map_err(CliError::failure)?, &named))
}

/// The release's hook at `point`.
pub(super) fn hook_at<'a>(context: &'a Context, point: Point) -> Option<&'a crate::spec::Hook> {
    let hooks = &context.spec().hooks;
    match point {
        Point::PreStart => hooks.pre_start.as_ref(),
        Point::PostStart => hooks.post_start.as_ref(),
        Point::PreStop => hooks.pre_stop.as_ref(),
        Point::PostStop => hooks.post_stop.as_ref(),
    }
}
