//! Hosts on one network: a network namespace each, with its own hostname (`unshare -u`),
//! hosts file (`/etc/netns/<ns>/hosts`) and unpacked copy of a release, run through each
//! copy's own `bin/kazoo`, joined by a bridge in a namespace of its own. Everything made
//! is removed by name (namespaces, links, hosts files) and every process left in a
//! namespace is killed by pid. Included by the test targets of the kazoo example (it names
//! their binary); each uses part of it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::ok;

pub const DOMAIN: &str = "kz.test";

/// One host: a network namespace, its address and hostname, its own copy of the release.
pub struct Host {
    pub ns: String,
    pub hostname: String,
    pub address: String,
    /// Its end of the link to the bridge.
    pub veth: String,
    pub dir: PathBuf,
    cookie: String,
}

impl Host {
    pub fn fqdn(&self) -> String {
        format!("{}.{DOMAIN}", self.hostname)
    }

    /// `name@<this host's fqdn>`.
    pub fn node(&self, name: &str) -> String {
        format!("{name}@{}", self.fqdn())
    }

    /// `program args` on this host, as root, with its hostname.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
        let script = format!("hostname {} && exec \"$@\"", self.hostname);
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.ns, "unshare", "--uts", "sh", "-c", &script, "sh"])
            .arg(program)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin")
            .env("HOME", self.dir.join("home"))
            .current_dir(&self.dir);
        command
    }

    /// `bin/kazoo args` of this host's copy, with `env` beside the host's own.
    pub fn kazoo_with(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut command = self.command(self.dir.join("opt/kazoo/bin/kazoo"), args);
        command
            .env("PIPE_DIR", self.dir.join("pipes"))
            .env("KAZOO_CONFIG_DIR", self.etc())
            .env("KAZOO_COOKIE", &self.cookie)
            .envs(env.iter().copied());
        command.output().unwrap()
    }

    pub fn kazoo(&self, args: &[&str]) -> Output {
        self.kazoo_with(&[], args)
    }

    pub fn eval(&self, node: &str, expr: &str) -> String {
        ok(self.kazoo(&["eval", node, expr])).trim().to_owned()
    }

    /// The operator's config dir.
    pub fn etc(&self) -> PathBuf {
        self.dir.join("etc")
    }

    /// The pids of what runs in this host's namespace.
    pub fn pids(&self) -> Vec<u32> {
        let pids = Command::new("ip").args(["netns", "pids", &self.ns]).output().map(|o| o.stdout).unwrap_or_default();
        String::from_utf8_lossy(&pids).split_whitespace().filter_map(|p| p.parse().ok()).collect()
    }
}

/// Hosts on 10.77.0.0/24, each joined to one bridge.
pub struct Network {
    pub hosts: Vec<Host>,
    switch: String,
    _dir: tempfile::TempDir,
}

pub fn run(args: &[&str]) {
    let status = Command::new(args[0]).args(&args[1..]).status().unwrap();
    assert!(status.success(), "{args:?} failed (the network tests need root and iproute2, as CI has)");
}

impl Network {
    /// Hosts `h1`, `h2`, ... (`count` of them) on a network named `tag` (unique per test),
    /// each with `tarball` unpacked in `<dir>/opt/kazoo` and the cookie `cookie`.
    pub fn new(tag: &str, count: usize, tarball: &Path, cookie: &str) -> Network {
        let dir = tempfile::tempdir().unwrap();
        let hosts: Vec<Host> = (1..=count)
            .map(|i| Host {
                ns: format!("{tag}h{i}"),
                hostname: format!("h{i}"),
                address: format!("10.77.0.{i}"),
                veth: format!("{tag}v{i}"),
                dir: dir.path().join(format!("h{i}")),
                cookie: cookie.to_owned(),
            })
            .collect();
        let hosts_file: String = hosts.iter().map(|h| format!("{} {} {}\n", h.address, h.fqdn(), h.hostname)).collect();
        let network = Network { hosts, switch: format!("{tag}sw"), _dir: dir };
        let switch = &network.switch;
        run(&["ip", "netns", "add", switch]);
        let in_switch = |args: &[&str]| run(&[&["ip", "netns", "exec", switch][..], args].concat());
        in_switch(&["ip", "link", "add", "br0", "type", "bridge"]);
        in_switch(&["ip", "link", "set", "br0", "up"]);
        for host in &network.hosts {
            let port = format!("{}p", host.veth);
            run(&["ip", "netns", "add", &host.ns]);
            run(&[
                "ip", "link", "add", &host.veth, "netns", &host.ns, "type", "veth", "peer", "name", &port, "netns",
                switch,
            ]);
            in_switch(&["ip", "link", "set", &port, "master", "br0", "up"]);
            let exec = |args: &[&str]| run(&[&["ip", "netns", "exec", &host.ns][..], args].concat());
            exec(&["ip", "addr", "add", &format!("{}/24", host.address), "dev", &host.veth]);
            exec(&["ip", "link", "set", &host.veth, "up"]);
            exec(&["ip", "link", "set", "lo", "up"]);
            let etc = PathBuf::from("/etc/netns").join(&host.ns);
            fs::create_dir_all(&etc).unwrap();
            fs::write(etc.join("hosts"), format!("127.0.0.1 localhost\n{hosts_file}")).unwrap();
            for sub in ["opt/kazoo", "home", "pipes", "etc"] {
                fs::create_dir_all(host.dir.join(sub)).unwrap();
            }
            ok(Command::new("tar").arg("xzf").arg(tarball).arg("-C").arg(host.dir.join("opt/kazoo")).output().unwrap());
        }
        network
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for host in &self.hosts {
            for pid in host.pids() {
                let _ =
                    Command::new("kill").args(["-KILL", &pid.to_string()]).stderr(std::process::Stdio::null()).status();
            }
            let _ = Command::new("ip").args(["netns", "del", &host.ns]).status();
            let _ = fs::remove_dir_all(PathBuf::from("/etc/netns").join(&host.ns));
        }
        let _ = Command::new("ip").args(["netns", "del", &self.switch]).status();
    }
}

/// The tarball `kazoo tar-release` writes of `profile` into `out` (asking a private EPMD
/// whether its nodes run, so that nodes of this machine do not count).
pub fn tarball(out: &Path, profile: &str) -> String {
    let epmd = crate::support::Epmd::private();
    let printed = ok(Command::new(env!("CARGO_BIN_EXE_kazoo"))
        .args(["tar-release", "--profile", profile, "--out"])
        .arg(out)
        .env("ERL_EPMD_PORT", &epmd.0)
        .output()
        .unwrap());
    printed.lines().find_map(|l| l.strip_prefix("wrote ")).unwrap().to_owned()
}
