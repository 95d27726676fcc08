//! console and foreground: the VM as a child of kazoo, which waits for it and exits with
//! its status, passing the service manager's stop signals on so the node stops gracefully
//! (the VM takes SIGTERM as `init:stop()`).

use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;

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
/// to kazoo become a SIGTERM to the VM. Returns the exit code to pass on (128 + signal for
/// a VM killed by one, as shells do).
pub fn run(mut command: Command, terminal: Terminal) -> io::Result<i32> {
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
    std::thread::spawn(move || forward(signals, pid, terminal));
    let status = child.wait()?;
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

fn forward(signals: libc::sigset_t, pid: libc::pid_t, terminal: Terminal) {
    loop {
        let mut signal = 0;
        // SAFETY: `signals` is an initialised set and `signal` a valid out pointer.
        if unsafe { libc::sigwait(&signals, &mut signal) } != 0 {
            return;
        }
        if signal == libc::SIGINT && terminal == Terminal::Shared {
            continue;
        }
        // SAFETY: kill has no memory preconditions; the VM is our unreaped child, so `pid`
        // is still its until `run` waits for it.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
}
