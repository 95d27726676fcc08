//! A run host made on this machine: a mount namespace where Erlang/OTP's root and the build
//! tree are hidden under empty tmpfs mounts, a network namespace with its own loopback (so
//! its own EPMD), and a pid namespace, so that every process started in it (nodes, EPMD)
//! ends when the host is dropped. Needs root, as CI runs; commands run as root or as the
//! service user nobody (uid 65534).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Erlang/OTP's root on Debian.
pub const OTP_ROOT: &str = "/usr/lib/erlang";
/// The service user's uid and gid.
pub const NOBODY: u32 = 65534;

pub struct IsolatedHost {
    /// `unshare`, which is in the new mount and network namespaces; its child is the pid
    /// namespace's init.
    unshare: Child,
}

impl IsolatedHost {
    /// A host where each of `hidden` is an empty directory.
    pub fn new(hidden: &[&Path]) -> IsolatedHost {
        let mounts: Vec<String> =
            hidden.iter().map(|dir| format!("mount -t tmpfs tmpfs '{}' && ", dir.display())).collect();
        let script = format!("{}ip link set lo up && echo ready && exec sleep 900", mounts.concat());
        let mut unshare = Command::new("unshare")
            .args([
                "--mount",
                "--net",
                "--pid",
                "--fork",
                "--mount-proc",
                "--propagation",
                "private",
                "sh",
                "-c",
                &script,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("unshare (util-linux) runs; these tests need root, as CI has");
        let mut line = String::new();
        BufReader::new(unshare.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the isolated host did not come up (are we root?)");
        IsolatedHost { unshare }
    }

    /// `path` as the host sees it (its mounts), seen from outside through its /proc root.
    pub fn view(&self, path: &Path) -> PathBuf {
        Path::new(&format!("/proc/{}/root", self.unshare.id())).join(path.strip_prefix("/").unwrap_or(path))
    }

    /// `program args` inside the host as root, with exactly the environment `env`.
    pub fn root<S: AsRef<OsStr>>(&self, program: impl AsRef<OsStr>, args: &[S], env: &[(&str, String)]) -> Command {
        let mut command = self.enter(env);
        command.arg(program).args(args);
        command
    }

    /// `program args` inside the host as the service user, with exactly the environment `env`.
    pub fn nobody<S: AsRef<OsStr>>(&self, program: impl AsRef<OsStr>, args: &[S], env: &[(&str, String)]) -> Command {
        let mut command = self.enter(env);
        let id = NOBODY.to_string();
        command.args(["setpriv", "--reuid", &id, "--regid", &id, "--clear-groups", "--"]).arg(program).args(args);
        command
    }

    /// `program args` as root in the host's network and pid namespaces, but on this
    /// machine's files: a service the host's nodes use that needs what the host hides (a
    /// broker that runs on Erlang). Its /proc is the host's pid namespace's (RabbitMQ reads
    /// its own there); it ends with the host, as everything in that namespace.
    pub fn service<S: AsRef<OsStr>>(&self, program: impl AsRef<OsStr>, args: &[S], env: &[(&str, String)]) -> Command {
        let mut command = self.enter_namespaces(&[("net", "net"), ("pid", "pid_for_children")], env);
        command.args(["unshare", "--mount-proc", "--propagation", "private", "--"]).arg(program).args(args);
        command
    }

    fn enter(&self, env: &[(&str, String)]) -> Command {
        self.enter_namespaces(&[("mount", "mnt"), ("net", "net"), ("pid", "pid_for_children")], env)
    }

    fn enter_namespaces(&self, namespaces: &[(&str, &str)], env: &[(&str, String)]) -> Command {
        let ns = |(flag, file): &(&str, &str)| format!("--{flag}=/proc/{}/ns/{file}", self.unshare.id());
        // By its path: `env` may set a PATH for the command that has no nsenter (an image's).
        let mut command = Command::new("/usr/bin/nsenter");
        command.args(namespaces.iter().map(ns)).arg("--").env_clear().envs(env.iter().map(|(k, v)| (k, v)));
        command
    }
}

impl Drop for IsolatedHost {
    /// Ends the pid namespace's init, which ends every process in it.
    fn drop(&mut self) {
        for init in children(self.unshare.id()) {
            let _ = Command::new("kill").args(["-KILL", &init.to_string()]).status();
        }
        let _ = self.unshare.kill();
        let _ = self.unshare.wait();
    }
}

/// The child processes of `pid`, as the kernel lists them.
pub fn children(pid: u32) -> Vec<u32> {
    let list = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    list.split_whitespace().filter_map(|p| p.parse().ok()).collect()
}

/// Makes every directory from `dir` up to `/` enterable by all, as an install path is.
pub fn open_path(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut dir: Option<PathBuf> = Some(dir.to_owned());
    while let Some(d) = dir {
        let meta = std::fs::metadata(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(meta.permissions().mode() | 0o755)).unwrap();
        dir = d.parent().map(Path::to_owned).filter(|p| p.as_os_str() != "/");
    }
}
