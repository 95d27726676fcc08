//! start: the node as a daemon behind ERTS's `run_erl`, which keeps its console on a pipe
//! (for `to_erl`) and its output in `erlang.log.<n>`; returns once the node answers.

use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::launch::{shell_quote, Erts, Vm};
use super::pipes::{RunDirs, StartLog};
use super::NodeName;
use crate::dist::{Client, DistError};

/// How often start asks the node (and looks at run_erl): the node's first pong is seen
/// within this.
const POLL: Duration = Duration::from_millis(5);
/// Each attempt's bound: EPMD and the node are on this machine.
const ATTEMPT: Duration = Duration::from_secs(1);
/// Lines of the console log shown when the node does not come up.
const TAIL: usize = 30;
/// In the node's pipe dir: how its VM ended (see [`reporting_line`]).
const VM_END: &str = "vm.exit";

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot run {}: {source}", program.display())]
    Spawn { program: PathBuf, source: io::Error },
    #[error("node {node} {end} before it had booted{}", log.describe())]
    Exited { node: String, end: String, log: Box<StartLog> },
    #[error("node {node} did not finish booting within {waited:?}: it was still waiting for {waiting}; it was killed, raise --timeout if it boots slowly{}", log.describe())]
    TimedOut { node: String, waited: Duration, waiting: String, log: Box<StartLog> },
    #[error(
        "node {node} rejects the cookie it was started with, so it was killed: another cookie was given to it, \
             or another node holds the name ({source})"
    )]
    CookieRejected { node: String, source: DistError },
}

/// What start waits for: the node answering with `cookie`, booted, each of `apps` running.
pub struct Awaited<'a> {
    pub name: &'a NodeName,
    pub cookie: &'a str,
    /// How the node is reached.
    pub reach: &'a crate::dist::Reach,
    /// The applications the node type names (see [`awaited_apps`]).
    pub apps: &'a [String],
    pub timeout: Duration,
}

/// Of the applications the boot script starts (`started`, in its order), those the release
/// names for the node type (`named`: its own and the release's base applications). Their
/// dependencies started before them, or they would not run; one stopped once the node has
/// booted (a broker stops `syslog` when its own logging is set up) is no reason to wait.
pub fn awaited_apps(started: Vec<String>, named: &[&str]) -> Vec<String> {
    started.into_iter().filter(|app| named.contains(&app.as_str())).collect()
}

/// Starts `vm` under run_erl with the pipe and log dirs of `dirs` (both made already) and
/// waits until the node answers, has booted and runs every awaited application; returns
/// the VM's OS pid. A node that exits first, rejects the cookie, or is not up after the
/// timeout (it is then killed) is an error carrying what its log says of this start.
pub fn start(vm: &Vm, erts: &Erts, dirs: &RunDirs, awaited: &Awaited) -> Result<u32, DaemonError> {
    dirs.clear_stale_pipes();
    let _ = std::fs::remove_file(dirs.pipe.join(VM_END));
    let mark = dirs.log_mark();
    let mut run_erl = spawn(vm, erts, dirs)?;
    let deadline = Instant::now() + awaited.timeout;
    let node = awaited.name.to_string();
    let give_up = |run_erl: &mut Child| {
        kill_group(run_erl);
        let _ = run_erl.wait();
        // The killed VM's name goes from EPMD when its socket closes: once it has, no
        // command after this start takes the node for running.
        let gone = Instant::now() + ATTEMPT * 5;
        while crate::dist::registered(awaited.name, awaited.reach, ATTEMPT).unwrap_or(false) && Instant::now() < gone {
            std::thread::sleep(POLL);
        }
    };
    let exited = |run_erl: &mut Child| {
        let status = run_erl.try_wait().ok().flatten()?;
        let end = match vm_end(dirs) {
            Some(vm) if vm.signal().is_some() => format!("was ended by {vm}"),
            Some(vm) => format!("exited ({vm})"),
            None => format!("did not run: run_erl exited ({status})"),
        };
        Some(DaemonError::Exited { node: node.clone(), end, log: Box::new(dirs.log_since(&mark, TAIL)) })
    };
    loop {
        if let Some(error) = exited(&mut run_erl) {
            return Err(error);
        }
        let waiting = match readiness(awaited) {
            Readiness::Up(pid) => return Ok(pid),
            Readiness::Rejected(source) => {
                // A VM that dies while it shakes hands looks like one that rejects the
                // cookie: one that ended within a moment says how it ended instead.
                let settle = Instant::now() + ATTEMPT;
                while Instant::now() < settle {
                    if let Some(error) = exited(&mut run_erl) {
                        return Err(error);
                    }
                    std::thread::sleep(POLL);
                }
                give_up(&mut run_erl);
                return Err(DaemonError::CookieRejected { node, source });
            }
            Readiness::NotYet(what) => what,
        };
        if Instant::now() >= deadline {
            give_up(&mut run_erl);
            let log = Box::new(dirs.log_since(&mark, TAIL));
            return Err(DaemonError::TimedOut { node, waited: awaited.timeout, waiting, log });
        }
        std::thread::sleep(POLL);
    }
}

/// run_erl in a session of its own (no terminal, no ^C from ours), in the foreground from
/// its point of view, so that its pid is ours to watch: `-daemon` would fork it away.
fn spawn(vm: &Vm, erts: &Erts, dirs: &RunDirs) -> Result<Child, DaemonError> {
    vm.start_epmd().map_err(|e| DaemonError::Spawn { program: e.program, source: e.source })?;
    let program = erts.tool("run_erl");
    let mut command = Command::new(&program);
    // run_erl takes directories when they end in `/`.
    command
        .arg(format!("{}/", dirs.pipe.display()))
        .arg(format!("{}/", dirs.log.display()))
        .arg(reporting_line(vm, &dirs.pipe.join(VM_END)))
        .envs(vm.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&vm.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(|| match libc::setsid() {
            -1 => Err(io::Error::last_os_error()),
            _ => Ok(()),
        });
    }
    command.spawn().map_err(|source| DaemonError::Spawn { program, source })
}

/// The line run_erl runs: the VM as the shell's child, not in its place, so that how it
/// ended is written to `end` (as `$?`: 128 + the signal for a signal) for `start` to say;
/// run_erl reaps its own child and says nothing of it. The VM keeps the terminal as its
/// stdin (a background job would get /dev/null), and run_erl's SIGINT (^C from to_erl)
/// is passed on to it.
fn reporting_line(vm: &Vm, end: &Path) -> String {
    format!(
        "exec 3<&0; {} 0<&3 3<&- & vm=$!; trap 'kill -INT $vm' INT; \
         while :; do wait $vm; end=$?; kill -0 $vm 2>/dev/null || break; done; echo $end > {}; exit $end",
        vm.shell_words(),
        shell_quote(&end.to_string_lossy())
    )
}

/// How the VM ended, from what [`reporting_line`] wrote; `None` when it never ran.
fn vm_end(dirs: &RunDirs) -> Option<ExitStatus> {
    let code: i32 = std::fs::read_to_string(dirs.pipe.join(VM_END)).ok()?.trim().parse().ok()?;
    // As wait(2) encodes them: the signal in the low bits, an exit code in the next byte.
    Some(match code {
        129.. => ExitStatus::from_raw(code - 128),
        code => ExitStatus::from_raw(code << 8),
    })
}

pub(crate) enum Readiness {
    /// Booted, every application running: the VM's OS pid.
    Up(u32),
    /// Not yet: what it waits for.
    NotYet(String),
    /// The node holds the name but refuses the cookie: waiting cannot help.
    Rejected(DistError),
}

/// Whether the node answers, its boot script has run to its end (init's status is
/// `{started, started}`) and every awaited application runs. A node answers pings while its
/// applications still start: commands right after `start` must find them running.
pub(crate) fn readiness(awaited: &Awaited) -> Readiness {
    let mut client = match Client::connect(awaited.name, awaited.cookie, ATTEMPT, awaited.reach) {
        Ok(client) => client,
        Err(e @ DistError::CookieRejected { .. }) => return Readiness::Rejected(e),
        Err(e) => return Readiness::NotYet(format!("the node to answer ({e})")),
    };
    let missing = format!(
        "case init:get_status() of {{started, started}} -> [{}] -- [A || {{A, _, _}} <- application:which_applications()]; \
         Status -> {{booting, Status}} end",
        awaited.apps.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")
    );
    let answer = match client.eval(&missing, &mut io::sink()) {
        Ok(answer) => answer,
        Err(e) => return Readiness::NotYet(format!("the node to answer ({e})")),
    };
    match answer.trim() {
        "[]" => client.os_pid().map_or_else(|e| Readiness::NotYet(format!("its OS pid ({e})")), Readiness::Up),
        booting if booting.starts_with("{booting") => {
            Readiness::NotYet(format!("its boot script to run to its end (init's status: {booting})"))
        }
        missing => Readiness::NotYet(format!("applications {} to run", missing.trim_matches(['[', ']']))),
    }
}

/// run_erl leads its session's process group, which the VM is in: kill them all.
fn kill_group(run_erl: &Child) {
    // SAFETY: kill has no memory preconditions; run_erl is our unreaped child.
    unsafe { libc::kill(-(run_erl.id() as libc::pid_t), libc::SIGKILL) };
}
