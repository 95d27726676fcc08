//! The node's own facts and its stop: ping, OS pid, versions, `init:stop()`.

use std::io::{self, Write};
use std::time::Duration;

use erl_dist::term::Term;

use super::connection::Deadline;
use super::eval::as_tagged;
use super::io_server::chardata;
use super::rpc::{atom, tuple, Client};
use super::DistError;

/// How often `stop` looks at the node's OS process (relx's script sleeps a whole second).
const EXIT_POLL: Duration = Duration::from_millis(2);

/// What a node runs: its release (from the boot script) and applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// The boot script's release name and version (`init:script_id()`).
    pub release: (String, String),
    /// Each running application and its version, as `application:which_applications()` lists them.
    pub applications: Vec<(String, String)>,
}

/// What `status --cluster` lists of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub pid: u32,
    pub uptime_seconds: u64,
    /// The boot script's release name and version (`init:script_id()`).
    pub release: (String, String),
    /// The boot script the node started with (`-boot`, no `.boot`), when it names one.
    pub boot: Option<String>,
}

impl Client {
    /// `net_adm:ping`: whether the node's net_kernel accepts us.
    pub fn ping(&mut self) -> Result<(), DistError> {
        let me = Term::from(self.conn.me.node.clone());
        let reply = self.gen_call("net_kernel", tuple(vec![atom("is_auth"), me]), &mut io::sink())?;
        match reply {
            Term::Atom(a) if a.name == "yes" => Ok(()),
            other => Err(self.protocol(&other)),
        }
    }

    /// The OS pid of the node's VM (`os:getpid()`).
    pub fn os_pid(&mut self) -> Result<u32, DistError> {
        let reply = self.call("os", "getpid", vec![], &mut io::sink())?;
        text(&reply).and_then(|pid| pid.parse().ok()).ok_or_else(|| self.protocol(&reply))
    }

    /// The node's [`Facts`], each a plain call: nothing is parsed or evaluated on the node,
    /// so that asking a whole cluster at once weighs little on any node.
    pub fn facts(&mut self) -> Result<Facts, DistError> {
        let pid = self.os_pid()?;
        let clock = self.call("erlang", "statistics", vec![atom("wall_clock")], &mut io::sink())?;
        let uptime_ms = elements(&clock).and_then(|e| e.first()).and_then(non_negative);
        let uptime_seconds = uptime_ms.ok_or_else(|| self.protocol(&clock))? / 1000;
        let script = self.call("init", "script_id", vec![], &mut io::sink())?;
        let release = pair(&script).ok_or_else(|| self.protocol(&script))?;
        let boot = self.call("init", "get_argument", vec![atom("boot")], &mut io::sink())?;
        // `{ok, [[Path]]}`, or `error` for a node started without one.
        let boot = match as_tagged(&boot) {
            Some(("ok", [paths])) => list(paths).and_then(|p| list(p.first()?)?.first()).and_then(text),
            _ => None,
        };
        Ok(Facts { pid, uptime_seconds, release, boot })
    }

    /// The nodes this node is connected to (`nodes()`).
    pub fn nodes(&mut self) -> Result<Vec<String>, DistError> {
        let reply = self.call("erlang", "nodes", vec![], &mut io::sink())?;
        let names = list(&reply).map(|nodes| nodes.iter().filter_map(atom_name).collect());
        names.ok_or_else(|| self.protocol(&reply))
    }

    /// The release and the applications the node runs.
    pub fn versions(&mut self) -> Result<Versions, DistError> {
        let script = self.call("init", "script_id", vec![], &mut io::sink())?;
        let release = pair(&script).ok_or_else(|| self.protocol(&script))?;
        let apps = self.call("application", "which_applications", vec![], &mut io::sink())?;
        let applications = list(&apps)
            .and_then(|apps| apps.iter().map(application).collect::<Option<Vec<_>>>())
            .ok_or_else(|| self.protocol(&apps))?;
        Ok(Versions { release, applications })
    }

    /// `init:stop()`, returning once the node is gone: its OS process exited when it runs
    /// on this machine (a zombie counts), else its connection closed. When the client's
    /// deadline passes first it gives up with [`DistError::StillRunning`] and leaves the
    /// node alone.
    pub fn stop(mut self) -> Result<(), DistError> {
        let pid = if self.node.is_local() { Some(self.os_pid()?) } else { None };
        let reply = self.call("init", "stop", vec![], &mut io::sink())?;
        if !matches!(&reply, Term::Atom(a) if a.name == "ok") {
            return Err(self.protocol(&reply));
        }
        let deadline = self.conn.deadline();
        let gone = match pid {
            Some(pid) => wait_exit(pid, deadline),
            None => self.conn.wait_closed(),
        };
        match gone {
            true => Ok(()),
            false => Err(DistError::StillRunning { node: self.node.to_string(), pid, waited: deadline.timeout }),
        }
    }
}

/// Whether process `pid` exits (or becomes a zombie) before `deadline`.
fn wait_exit(pid: u32, deadline: Deadline) -> bool {
    loop {
        if !is_running(pid) {
            return true;
        }
        if deadline.passed() {
            return false;
        }
        std::thread::sleep(EXIT_POLL);
    }
}

/// Whether `pid` is a live process: it exists and is no zombie. An exited VM can stay a
/// zombie for over a second until its parent reaps it; it runs nothing any more.
pub fn is_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may contain spaces.
        Ok(stat) => stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

fn text(term: &Term) -> Option<String> {
    let mut text = String::new();
    chardata(term, false, &mut text).then_some(text)
}

fn list(term: &Term) -> Option<&[Term]> {
    match term {
        Term::List(l) => Some(&l.elements),
        _ => None,
    }
}

fn elements(term: &Term) -> Option<&[Term]> {
    match term {
        Term::Tuple(t) => Some(&t.elements),
        _ => None,
    }
}

fn atom_name(term: &Term) -> Option<String> {
    match term {
        Term::Atom(a) => Some(a.name.clone()),
        _ => None,
    }
}

fn non_negative(term: &Term) -> Option<u64> {
    match term {
        Term::FixInteger(i) => u64::try_from(i.value).ok(),
        Term::BigInteger(i) => u64::try_from(&i.value).ok(),
        _ => None,
    }
}

/// `{Name, Vsn}` with both as strings.
fn pair(term: &Term) -> Option<(String, String)> {
    match elements(term)? {
        [name, vsn] => Some((text(name)?, text(vsn)?)),
        _ => None,
    }
}

/// `{App, Description, Vsn}` as its name and version.
fn application(term: &Term) -> Option<(String, String)> {
    match as_tagged(term)? {
        (name, [_, vsn]) => Some((name.to_owned(), text(vsn)?)),
        _ => None,
    }
}

/// Writes the versions as `name version` lines, the release first.
pub fn print_versions(versions: &Versions, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} {}", versions.release.0, versions.release.1)?;
    for (app, vsn) in &versions.applications {
        writeln!(out, "{app} {vsn}")?;
    }
    Ok(())
}
