//! What the end-to-end tests run: commands in a scrubbed environment, and bare `erl` nodes.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use kazoo_release::name::{hostname, NodeName};

use super::Epmd;

/// An environment of its own for the commands of one test: an empty HOME that is also the
/// working directory (where a release tree is written), the caller's PATH, and nothing else
/// of the caller's (no `KAZOO_*`, `REL`, `ERL_*`, ...).
pub struct Scrubbed {
    home: tempfile::TempDir,
}

impl Scrubbed {
    pub fn new() -> Scrubbed {
        Scrubbed { home: tempfile::tempdir().expect("a temporary HOME") }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// `program` with only PATH and this HOME in its environment, run in this HOME.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = command(program, self.home());
        command.current_dir(self.home());
        command
    }
}

/// `program` with only PATH and `home` as HOME in its environment.
pub fn command(program: impl AsRef<OsStr>, home: &Path) -> Command {
    let mut command = Command::new(program);
    command.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).env("HOME", home);
    command
}

/// A bare `erl -noshell -name NAME@HOST` node for one test, behind an EPMD of its own, with
/// its cookie in its own HOME (no cookie on a command line), booted when [`ErlNode::start`]
/// returns; killed when dropped, then its EPMD.
pub struct ErlNode {
    vm: Child,
    pub name: NodeName,
    pub cookie: String,
    /// Holds `.erlang.cookie`; the node's alone, so a command's HOME never gives it the cookie.
    home: tempfile::TempDir,
    epmd: Epmd,
}

/// What [`ErlNode::start`] starts.
pub struct NodeOptions {
    name: String,
    cookie: Option<String>,
    quiet: bool,
}

impl ErlNode {
    /// A node named `name` (a node type's, `kazoo_apps`): its EPMD is its own, so that tests
    /// running at once may each have a node of that name.
    pub fn named(name: &str) -> NodeOptions {
        NodeOptions { name: name.to_owned(), cookie: None, quiet: false }
    }

    pub fn pid(&self) -> u32 {
        self.vm.id()
    }

    /// The port of the node's own EPMD.
    pub fn epmd_port(&self) -> u16 {
        self.epmd.0.parse().expect("a port")
    }

    /// The variables a command needs to find this node: its EPMD's port.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![("ERL_EPMD_PORT", self.epmd.0.clone())]
    }

    /// Waits for the VM to exit (after a stop).
    pub fn wait(&mut self) -> ExitStatus {
        self.vm.wait().expect("the VM is waited for")
    }
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl NodeOptions {
    /// The node's cookie; by default one no other node has.
    pub fn cookie(mut self, cookie: &str) -> NodeOptions {
        self.cookie = Some(cookie.to_owned());
        self
    }

    /// The VM's stderr, where it logs rejected handshakes, goes nowhere.
    pub fn quiet(mut self) -> NodeOptions {
        self.quiet = true;
        self
    }

    /// Starts the node and returns once it has booted (kernel started, registered with EPMD).
    pub fn start(self) -> ErlNode {
        let home = tempfile::tempdir().expect("a temporary HOME");
        let cookie =
            self.cookie.unwrap_or_else(|| format!("cookie_{}_{}", self.name, NEXT.fetch_add(1, Ordering::Relaxed)));
        let file = home.path().join(".erlang.cookie");
        std::fs::write(&file, &cookie).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o400)).unwrap();
        let epmd = Epmd::private();
        let name = NodeName { name: self.name, host: hostname().expect("this machine's hostname") };

        let mut erl = command("erl", home.path());
        super::vm_in(&mut erl, home.path());
        // `-eval` runs once the boot script has run: the node is up when it says so.
        erl.args(["-noshell", "-name", &name.to_string(), "-eval", "io:format(\"up~n\")"]);
        erl.env("ERL_EPMD_PORT", &epmd.0);
        erl.stdin(Stdio::null()).stdout(Stdio::piped());
        if self.quiet {
            erl.stderr(Stdio::null());
        }
        let mut vm = erl.spawn().expect("erl runs");
        let mut stdout = BufReader::new(vm.stdout.take().unwrap());
        let node = ErlNode { vm, name, cookie, home, epmd };
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line, "up\n", "the test node {} did not come up", node.name);
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        node
    }
}

impl Drop for ErlNode {
    fn drop(&mut self) {
        let _ = self.vm.kill();
        let _ = self.vm.wait();
    }
}
