//! A deployment made on this machine: a release's tarball (`tar-release` of the given
//! binary) unpacked by root at another path, its build output deleted, and a run host with
//! no Erlang/OTP and no build tree where the service user runs the tree's own bin/kazoo.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::isolated::{open_path, IsolatedHost, NOBODY, OTP_ROOT};
use super::ok;

/// The workspace: the build tree the run host must not see.
pub fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A deployment: the tarball unpacked by root into `<dir>/opt/kazoo`, a working directory
/// of the service user's, and the isolated host it runs on.
pub struct Deployment {
    pub dir: tempfile::TempDir,
    pub host: IsolatedHost,
}

impl Deployment {
    /// The default profile's tarball (it includes ERTS), on a host without OTP.
    pub fn new(binary: &Path) -> Deployment {
        Deployment::of_profile(binary, "default", &[Path::new(OTP_ROOT)])
    }

    /// Profile `profile`'s tarball on a host where `hidden` and the checkout are not seen.
    pub fn of_profile(binary: &Path, profile: &str, hidden: &[&Path]) -> Deployment {
        let dir = tempfile::tempdir().unwrap();
        let build = dir.path().join("build");
        let tar = Command::new(binary).args(["tar-release", "--profile", profile, "--out"]).arg(&build).output();
        let printed = ok(tar.unwrap());
        let tarball = printed.lines().find_map(|l| l.strip_prefix("wrote ")).expect("tar-release names its tarball");
        let root = dir.path().join("opt/kazoo");
        fs::create_dir_all(&root).unwrap();
        ok(Command::new("tar").arg("xzf").arg(tarball).arg("-C").arg(&root).output().unwrap());
        // The build output goes too: the host has only the unpacked tree.
        fs::remove_dir_all(&build).unwrap();
        for sub in ["cwd", "tmp", "etc"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::os::unix::fs::chown(dir.path().join("cwd"), Some(NOBODY), Some(NOBODY)).unwrap();
        // The service user's temporary directory, sticky and open to all as /tmp is.
        fs::set_permissions(dir.path().join("tmp"), fs::Permissions::from_mode(0o1777)).unwrap();
        open_path(dir.path());
        let checkout = checkout();
        let host = IsolatedHost::new(&[hidden, &[checkout.as_path()]].concat());
        Deployment { dir, host }
    }

    pub fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// The service user's environment: nothing of ours, a cookie, no config dir of the host's.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let path = |sub: &str| self.path(sub).display().to_string();
        vec![
            ("PATH", "/usr/bin:/bin".into()),
            ("HOME", "/nonexistent".into()),
            ("TMPDIR", path("tmp")),
            ("KAZOO_CONFIG_DIR", path("etc")),
            ("KAZOO_COOKIE", format!("standalone_{}", std::process::id())),
        ]
    }

    /// `<root>/bin/kazoo args` as the service user, in its working directory.
    pub fn kazoo(&self, root: &Path, args: &[&str]) -> Command {
        let mut command = self.host.nobody(root.join("bin/kazoo"), args, &self.env());
        command.current_dir(self.path("cwd"));
        command
    }

    pub fn run(&self, root: &Path, args: &[&str]) -> Output {
        self.kazoo(root, args).output().unwrap()
    }

    pub fn root_dir_of(&self, root: &Path, node: &str) -> String {
        ok(self.run(root, &["eval", node, "code:root_dir()."])).trim().to_owned()
    }
}
