//! start: the node as a daemon behind ERTS's `run_erl`, which keeps its console on a pipe
//! (for `to_erl`) and its output in `erlang.log.<n>`; returns once the node answers.

use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::launch::{Erts, Vm};
use super::pipes::RunDirs;
use super::NodeName;
use crate::dist::Client;

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
    #[error("node {node} exited ({status}) before it answered; the end of its log ({}):\n{tail}", log.display())]
    Exited { node: String, status: ExitStatus, log: PathBuf, tail: String },
    #[error("node {node} did not answer and finish booting within {waited:?}, so it was killed; raise --timeout if it boots slowly. The end of its log ({}):\n{tail}", log.display())]
    TimedOut { node: String, waited: Duration, log: PathBuf, tail: String },
}

/// Starts `vm` under run_erl with the pipe and log dirs of `dirs` (both made already) and
/// waits until `name` answers a ping with `cookie` (as helper node `helper`) and has booted; returns the VM's OS pid. A node that
/// exits first, or still does not answer after `timeout` (it is then killed), is an error
/// carrying the tail of its log.
pub fn start(vm: &Vm, erts: &Erts, dirs: &RunDirs, name: &NodeName, cookie: &str, timeout: Duration, helper: &str) -> Result<u32, DaemonError> {
    dirs.clear_stale_pipes();
    let mut run_erl = spawn(vm, erts, dirs)?;
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = run_erl.try_wait() {
            return Err(DaemonError::Exited { node: name.to_string(), status, log: dirs.log.clone(), tail: dirs.log_tail(TAIL) });
        }
        if let Some(pid) = answers(name, cookie, helper) {
            return Ok(pid);
        }
        if Instant::now() >= deadline {
            kill_group(&run_erl);
            let _ = run_erl.wait();
            return Err(DaemonError::TimedOut { node: name.to_string(), waited: timeout, log: dirs.log.clone(), tail: dirs.log_tail(TAIL) });
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

/// The VM's OS pid once the node answers a ping and its boot script has run to the end.
/// A node answers pings while its applications still start: commands right after `start`
/// (`eval`, Kazoo's `sup`) must find them running.
fn answers(name: &NodeName, cookie: &str, helper: &str) -> Option<u32> {
    let mut client = Client::connect(name, cookie, ATTEMPT, helper).ok()?;
    client.ping().ok()?;
    let status = client.eval("element(1, init:get_status())", &mut io::sink()).ok()?;
    (status.trim() == "started").then_some(())?;
    client.os_pid().ok()
}

/// run_erl leads its session's process group, which the VM is in: kill them all.
fn kill_group(run_erl: &Child) {
    // SAFETY: kill has no memory preconditions; run_erl is our unreaped child.
    unsafe { libc::kill(-(run_erl.id() as libc::pid_t), libc::SIGKILL) };
}
