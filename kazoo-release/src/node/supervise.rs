//! console and foreground: the VM as a child of kazoo, which waits for it and exits with
//! its status, passing the service manager's stop signals on so the node stops gracefully
//! (the VM takes SIGTERM as `init:stop()`).

use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How the VM shares the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    /// console: the VM owns the terminal (^C, ^G reach it directly, not as a stop).
    Shared,
    /// foreground: the VM has its own process group, so ^C reaches kazoo only, which
    /// turns it into a graceful stop (a VM's own SIGINT handler would halt it abruptly).
    Detached,
}

/// Runs `command` to its end; SIGTERM and SIGHUP (and, when [`Terminal::Detached`], SIGINT)
/// to kazoo become a SIGTERM to the VM. `spawned` is told the VM's pid (erl and erlexec
/// exec the emulator, so it is the VM's). Returns the exit code to pass on (128 + signal
/// for a VM killed by one, as shells do).
pub fn run(command: Command, terminal: Terminal, spawned: impl FnOnce(u32) -> io::Result<()>) -> io::Result<i32> {
    run_with(command, terminal, spawned, || {})
}

/// [`run`], calling `stopping` when the first stop signal reaches kazoo, before the VM is
/// told (foreground's STOPPING=1 to systemd).
pub fn run_with(
    mut command: Command,
    terminal: Terminal,
    spawned: impl FnOnce(u32) -> io::Result<()>,
    stopping: impl FnOnce() + Send + 'static,
) -> io::Result<i32> {
    if terminal == Terminal::Detached {
        command.process_group(0);
    }
    let signals = block_stop_signals()?;
    // The child inherits our mask: it must take these signals again, SIGTERM above all.
    // SAFETY: pthread_sigmask is async-signal-safe; `signals` is a copied, initialised set.
    unsafe {
        command.pre_exec(move || match libc::pthread_sigmask(libc::SIG_UNBLOCK, &signals, std::ptr::null_mut()) {
            0 => Ok(()),
            e => Err(io::Error::from_raw_os_error(e)),
        });
    }
    let mut child = command.spawn()?;
    let pid = child.id() as libc::pid_t;
    if let Err(e) = spawned(child.id()) {
        // A VM kazoo cannot account for is not left running.
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    let exited = Arc::new(AtomicBool::new(false));
    let forwarder_sees = Arc::clone(&exited);
    std::thread::spawn(move || forward(signals, pid, terminal, &forwarder_sees, stopping));
    let status = child.wait();
    exited.store(true, Ordering::SeqCst);
    let status = status?;
    Ok(status.code().or(status.signal().map(|s| 128 + s)).unwrap_or(1))
}

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread it starts, so that
/// [`forward`] receives them with `sigwait` instead of them killing kazoo.
fn block_stop_signals() -> io::Result<libc::sigset_t> {
    // SAFETY: the set is initialised by sigemptyset before use; the calls take valid pointers.
    unsafe {
        let mut set = std::mem::zeroed::<libc::sigset_t>();
        libc::sigemptyset(&mut set);
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, signal);
        }
        match libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) {
            0 => Ok(set),
            e => Err(io::Error::from_raw_os_error(e)),
        }
    }
}

/// How often a stop is said again: a VM still booting drops a SIGTERM that arrives before
/// its signal handler is installed (seen: a node that never stopped).
const RESEND: Duration = Duration::from_millis(500);

/// Waits for the first stop signal, then sends the VM SIGTERM until it has exited (again
/// and again is harmless: a stopping node takes it as one more `init:stop()`).
fn forward(
    signals: libc::sigset_t,
    pid: libc::pid_t,
    terminal: Terminal,
    exited: &AtomicBool,
    stopping: impl FnOnce(),
) {
    loop {
        let mut signal = 0;
        // SAFETY: `signals` is an initialised set and `signal` a valid out pointer.
        if unsafe { libc::sigwait(&signals, &mut signal) } != 0 {
            return;
        }
        if signal != libc::SIGINT || terminal == Terminal::Detached {
            break;
        }
    }
    stopping();
    // `exited` is set right after `run` reaps the VM, so `pid` is still the VM's when
    // signalled (short of a pid reused within the moment between the two).
    while !exited.load(Ordering::SeqCst) {
        // SAFETY: kill has no memory preconditions.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        std::thread::sleep(RESEND);
    }
}
