//! systemd's notify protocol for `foreground` (sd_notify(3)): one datagram per state change
//! to the socket `NOTIFY_SOCKET` names, a path or, starting with `@`, an abstract address.
//!
//! kazoo is the unit's main process and the VM its child, so kazoo speaks for it:
//! `MAINPID=<the VM's pid>` and a `STATUS=` once the VM is spawned, `READY=1` once the node
//! answers, has booted and runs the applications its node type names (the readiness `start`
//! waits for), `WATCHDOG=1` every half `WATCHDOG_USEC` from a ping the VM answered, and
//! `STOPPING=1` when a stop begins (a stop signal reaching kazoo, or the VM going away).
//!
//! The `sd-notify` crate connects to `NOTIFY_SOCKET` as a path, so it cannot reach an
//! abstract socket; the datagram is sent here with std's `UnixDatagram`.

use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::daemon::{readiness, Awaited, Readiness};
use super::NodeName;
use crate::dist::{Client, Reach};

pub const NOTIFY_SOCKET_ENV: &str = "NOTIFY_SOCKET";
pub const WATCHDOG_USEC_ENV: &str = "WATCHDOG_USEC";
pub const WATCHDOG_PID_ENV: &str = "WATCHDOG_PID";

/// How often the node is asked whether it has booted.
const POLL: Duration = Duration::from_millis(20);
/// How often a booting node's status is said again.
const STATUS_EVERY: Duration = Duration::from_secs(5);

/// The node the notifier watches: what its readiness is asked with.
#[derive(Debug, Clone)]
pub struct Watched {
    pub name: NodeName,
    pub cookie: String,
    /// How the node is reached.
    pub reach: Reach,
    /// `WATCHDOG_USEC`'s period, when the manager asks for it (see [`watchdog_period`]).
    pub watchdog: Option<Duration>,
    /// The applications the node type names (see [`super::daemon::awaited_apps`]).
    pub apps: Vec<String>,
}

/// The service manager's socket and the node it hears of; [`Notifier::inert`] does nothing.
pub struct Notifier(Option<Inner>);

struct Inner {
    shared: Arc<Shared>,
    watched: Watched,
}

struct Shared {
    socket: UnixDatagram,
    /// STOPPING=1 was said: nothing but it is said again.
    stopping: AtomicBool,
}

impl Shared {
    /// Sends `states` (lines `KEY=value`) in one datagram; a manager that is gone is not
    /// kazoo's failure, so an error is only said on stderr.
    fn send(&self, states: &str) {
        if let Err(e) = self.socket.send(states.as_bytes()) {
            eprintln!("warning: cannot tell the service manager `{}`: {e}", states.trim_end().replace('\n', ", "));
        }
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

impl Notifier {
    /// A notifier that says nothing: no service manager listens.
    pub fn inert() -> Notifier {
        Notifier(None)
    }

    /// The notifier of the socket `address` (the value of `NOTIFY_SOCKET`); inert (said on
    /// stderr) when it cannot be reached.
    pub fn connect(address: &std::ffi::OsStr, watched: Watched) -> Notifier {
        match connect(address.as_bytes()) {
            Ok(socket) => {
                Notifier(Some(Inner { shared: Arc::new(Shared { socket, stopping: AtomicBool::new(false) }), watched }))
            }
            Err(e) => {
                eprintln!(
                    "warning: cannot reach the service manager's socket {} ({NOTIFY_SOCKET_ENV}): {e}; \
                     it will not hear that the node is ready",
                    address.to_string_lossy()
                );
                Notifier(None)
            }
        }
    }

    /// The VM runs as `pid`: says so, then (in a thread of its own) READY=1 once the node
    /// has booted, and WATCHDOG=1 from then on when the manager asks for it.
    pub fn spawned(&self, pid: u32) {
        let Some(inner) = &self.0 else {
            return;
        };
        let node = &inner.watched.name;
        inner.shared.send(&format!("MAINPID={pid}\nSTATUS=booting node {node} (OS pid {pid})\n"));
        let (shared, watched) = (Arc::clone(&inner.shared), inner.watched.clone());
        std::thread::spawn(move || watch(&shared, &watched, pid));
    }

    /// What to call when a stop begins: says STOPPING=1 (once).
    pub fn on_stop(&self) -> impl FnOnce() + Send + 'static {
        let shared = self.0.as_ref().map(|inner| Arc::clone(&inner.shared));
        move || {
            if let Some(shared) = shared {
                say_stopping(&shared);
            }
        }
    }

    /// The VM is gone: STOPPING=1 unless a stop signal said it already.
    pub fn stopping(&self) {
        if let Some(inner) = &self.0 {
            say_stopping(&inner.shared);
        }
    }
}

fn say_stopping(shared: &Shared) {
    if !shared.stopping.swap(true, Ordering::SeqCst) {
        shared.send("STOPPING=1\nSTATUS=stopping\n");
    }
}

/// A datagram socket connected to `address`: a path, or an abstract name after `@`.
fn connect(address: &[u8]) -> io::Result<UnixDatagram> {
    let socket = UnixDatagram::unbound()?;
    match address.strip_prefix(b"@") {
        Some(name) => socket.connect_addr(&SocketAddr::from_abstract_name(name)?)?,
        None => socket.connect(std::ffi::OsStr::from_bytes(address))?,
    }
    Ok(socket)
}

/// `usec` (the value of `WATCHDOG_USEC`) when it is meant for this process (`pid`, that of
/// `WATCHDOG_PID`, unset or ours).
pub fn watchdog_period(usec: Option<&str>, pid: Option<&str>) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok().filter(|&u| u > 0)?;
    let ours = pid.map_or(true, |pid| pid.trim() == std::process::id().to_string());
    ours.then(|| Duration::from_micros(usec))
}

/// Waits for the node's readiness and says READY=1, then keeps the watchdog fed while the
/// node answers pings; ends when a stop begins.
fn watch(shared: &Shared, watched: &Watched, pid: u32) {
    let node = &watched.name;
    let awaited = Awaited {
        name: node,
        cookie: &watched.cookie,
        reach: &watched.reach,
        apps: &watched.apps,
        // Not used by `readiness`: the manager's TimeoutStartSec bounds the wait.
        timeout: Duration::MAX,
    };
    let began = Instant::now();
    let mut said = began;
    loop {
        if shared.stopping() {
            return;
        }
        match readiness(&awaited) {
            Readiness::Up(_) => break,
            Readiness::Rejected(e) => {
                shared.send(&format!("STATUS=node {node} cannot be asked whether it has booted: {e}\n"));
                return;
            }
            Readiness::NotYet(what) if said.elapsed() >= STATUS_EVERY => {
                said = Instant::now();
                let waited = began.elapsed().as_secs();
                shared.send(&format!("STATUS=booting node {node} (OS pid {pid}): waiting {waited} s for {what}\n"));
            }
            Readiness::NotYet(_) => {}
        }
        std::thread::sleep(POLL);
    }
    if shared.stopping() {
        return;
    }
    shared.send(&format!("READY=1\nSTATUS=node {node} running (OS pid {pid})\n"));
    if let Some(period) = watched.watchdog {
        feed(shared, watched, period / 2);
    }
}

/// WATCHDOG=1 every `every`, each from a ping the node answered within `every`; a node that
/// does not answer (hung, stopped) gets none, so the manager restarts it.
fn feed(shared: &Shared, watched: &Watched, every: Duration) {
    let mut client: Option<Client> = None;
    loop {
        let next = Instant::now() + every;
        if shared.stopping() {
            return;
        }
        let pinged = match client.as_mut() {
            Some(c) => {
                c.renew(every);
                c.ping()
            }
            None => Client::connect(&watched.name, &watched.cookie, every, &watched.reach).and_then(|mut c| {
                let pong = c.ping();
                client = Some(c);
                pong
            }),
        };
        match pinged {
            Ok(()) if !shared.stopping() => shared.send("WATCHDOG=1\n"),
            Ok(()) => return,
            // A late answer must not be taken for the next ping's: a new connection.
            Err(_) => client = None,
        }
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}
