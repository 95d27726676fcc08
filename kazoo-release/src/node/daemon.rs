//! start: the node as a daemon behind ERTS's `run_erl`, which keeps its console on a pipe
//! (for `to_erl`) and its output in `erlang.log.<n>`; returns once the node answers.

use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::launch::{Erts, Vm};
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

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot run {}: {source}", program.display())]
    Spawn { program: PathBuf, source: io::Error },
    #[error("node {node} exited ({status}) before it had booted{}", log.describe())]
    Exited { node: String, status: ExitStatus, log: StartLog },
    #[error("node {node} did not answer and finish booting within {waited:?}, so it was killed; raise --timeout if it boots slowly{}", log.describe())]
    TimedOut { node: String, waited: Duration, log: StartLog },
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
    /// The applications the node's boot script starts.
    pub apps: &'a [String],
    pub timeout: Duration,
}

/// Starts `vm` under run_erl with the pipe and log dirs of `dirs` (both made already) and
/// waits until the node answers, has booted and runs every awaited application; returns
/// the VM's OS pid. A node that exits first, rejects the cookie, or is not up after the
/// timeout (it is then killed) is an error carrying what its log says of this start.
pub fn start(vm: &Vm, erts: &Erts, dirs: &RunDirs, awaited: &Awaited) -> Result<u32, DaemonError> {
    dirs.clear_stale_pipes();
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
        while crate::dist::registered(awaited.name, awaited.reach.epmd_port, ATTEMPT).unwrap_or(false)
            && Instant::now() < gone
        {
            std::thread::sleep(POLL);
        }
    };
    loop {
        if let Ok(Some(status)) = run_erl.try_wait() {
            return Err(DaemonError::Exited { node, status, log: dirs.log_since(&mark, TAIL) });
        }
        match readiness(awaited) {
            Readiness::Up(pid) => return Ok(pid),
            Readiness::Rejected(source) => {
                give_up(&mut run_erl);
                return Err(DaemonError::CookieRejected { node, source });
            }
            Readiness::NotYet => {}
        }
        if Instant::now() >= deadline {
            give_up(&mut run_erl);
            return Err(DaemonError::TimedOut { node, waited: awaited.timeout, log: dirs.log_since(&mark, TAIL) });
        }
        std::thread::sleep(POLL);
    }
}

/// run_erl in a session of its own (no terminal, no ^C from ours), in the foreground from
/// its point of view, so that its pid is ours to watch: `-daemon` would fork it away.
fn spawn(vm: &Vm, erts: &Erts, dirs: &RunDirs) -> Result<Child, DaemonError> {
    let program = erts.tool("run_erl");
    let mut command = Command::new(&program);
    // run_erl takes directories when they end in `/`.
    command
        .arg(format!("{}/", dirs.pipe.display()))
        .arg(format!("{}/", dirs.log.display()))
        .arg(vm.shell_line())
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

pub(crate) enum Readiness {
    /// Booted, every application running: the VM's OS pid.
    Up(u32),
    NotYet,
    /// The node holds the name but refuses the cookie: waiting cannot help.
    Rejected(DistError),
}

/// Whether the node answers a ping, its boot script has run to the end and every awaited
/// application runs. A node answers pings while its applications still start: commands
/// right after `start` must find them running.
pub(crate) fn readiness(awaited: &Awaited) -> Readiness {
    let mut client = match Client::connect(awaited.name, awaited.cookie, ATTEMPT, awaited.reach) {
        Ok(client) => client,
        Err(e @ DistError::CookieRejected { .. }) => return Readiness::Rejected(e),
        Err(_) => return Readiness::NotYet,
    };
    let missing = format!(
        "case init:get_status() of {{started, _}} -> [{}] -- [A || {{A, _, _}} <- application:which_applications()]; _ -> booting end",
        awaited.apps.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")
    );
    match client.eval(&missing, &mut io::sink()).map(|m| m.trim() == "[]") {
        Ok(true) => client.os_pid().map_or(Readiness::NotYet, Readiness::Up),
        _ => Readiness::NotYet,
    }
}

/// run_erl leads its session's process group, which the VM is in: kill them all.
fn kill_group(run_erl: &Child) {
    // SAFETY: kill has no memory preconditions; run_erl is our unreaped child.
    unsafe { libc::kill(-(run_erl.id() as libc::pid_t), libc::SIGKILL) };
}
