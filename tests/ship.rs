//! The release as hosts take software: `kazoo deb` read by Debian's own tools (dpkg-deb,
//! lintian, dpkg-shlibdeps for its Depends) and installed with dpkg in a minimal Debian root,
//! where a node runs through the unit's own lines as the package's user; `kazoo oci-image`
//! read by skopeo, unpacked by umoci and run from its rootfs with no host Erlang to be seen.

#[path = "support/mod.rs"]
mod support;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::debian_root::test_root;
use support::isolated::IsolatedHost;
use support::{ok, text};

/// The release binary cargo built from this workspace.
const BIN: &str = env!("CARGO_BIN_EXE_kazoo");
/// Where dpkg and the maintainer scripts find their tools.
const ROOT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `kazoo args --out out` on the build machine, with a maintainer for the package.
fn kazoo(out: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--out")
        .arg(out)
        .env_remove("REL")
        .env_remove("KAZOO_PROFILE")
        .env_remove("SOURCE_DATE_EPOCH")
        .env("DEBFULLNAME", "Kazoo Packager")
        .env("DEBEMAIL", "packager@example.org")
        .output()
        .expect("the kazoo binary runs")
}

/// Runs `deb` into `out`; returns the package's path.
fn deb(out: &Path, args: &[&str]) -> PathBuf {
    let printed = ok(kazoo(out, &[&["deb"], args].concat()));
    let path = printed.lines().find_map(|l| l.strip_prefix("wrote ")).expect("deb names its package");
    PathBuf::from(path)
}

fn dpkg_deb(args: &[&str], package: &Path) -> String {
    ok(Command::new("dpkg-deb").args(args).arg(package).output().unwrap())
}

/// A field of a control file.
fn field<'a>(control: &'a str, name: &str) -> Option<&'a str> {
    control.lines().find_map(|l| l.trim().strip_prefix(name)?.strip_prefix(':')).map(str::trim)
}

/// The package names of a Depends field, without versions.
fn package_names(depends: &str) -> Vec<String> {
    let mut names: Vec<String> =
        depends.split(',').map(|d| d.split_whitespace().next().unwrap_or_default().to_owned()).collect();
    names.sort();
    names
}

#[test]
fn the_package_is_reproducible_read_by_dpkg_deb_depends_as_dpkg_shlibdeps_says_and_passes_lintian() {
    let out = tempfile::tempdir().unwrap();
    let package = deb(out.path(), &[]);
    let arch = ok(Command::new("dpkg").arg("--print-architecture").output().unwrap());
    assert_eq!(package.file_name().unwrap().to_str().unwrap(), format!("kazoo_4.3.0-1_{}.deb", arch.trim()));
    let first = fs::read(&package).unwrap();
    // A rebuild of the tree from nothing, a second later: the same bytes.
    std::thread::sleep(Duration::from_millis(1100));
    fs::remove_dir_all(out.path().join("kazoo")).unwrap();
    assert!(first == fs::read(deb(out.path(), &[])).unwrap(), "two runs give the same package");

    let control = dpkg_deb(&["--field"], &package);
    assert_eq!(field(&control, "Package"), Some("kazoo"));
    assert_eq!(field(&control, "Version"), Some("4.3.0-1"));
    assert_eq!(field(&control, "Architecture"), Some(arch.trim()));
    assert_eq!(field(&control, "Maintainer"), Some("Kazoo Packager <packager@example.org>"));
    // Depends names the packages dpkg-shlibdeps finds for the same ELF files.
    let tree = out.path().join("kazoo");
    let oracle = shlibdeps(&tree);
    assert_eq!(package_names(field(&control, "Depends").unwrap()), package_names(&oracle), "{control}");
    let conffiles = dpkg_deb(&["--info"], &package);
    assert!(conffiles.contains("conffiles"), "{conffiles}");
    let listed = ok(Command::new("dpkg-deb").args(["--info"]).arg(&package).arg("conffiles").output().unwrap());
    assert_eq!(listed.trim(), "/etc/kazoo/config.ini");

    let contents = dpkg_deb(&["--contents"], &package);
    for path in [
        "opt/kazoo/bin/kazoo",
        "opt/kazoo/releases/4.3.0/ecallmgr.boot",
        "lib/systemd/system/kazoo@.service",
        "usr/lib/sysusers.d/kazoo.conf",
        "etc/kazoo/config.ini",
        "var/log/kazoo/",
        "usr/share/doc/kazoo/copyright",
    ] {
        let listed = |l: &str| l.ends_with(&format!(" {path}")) || l.contains(&format!(" {path} link to"));
        assert!(contents.lines().any(listed), "{path}:\n{contents}");
    }
    assert!(contents.lines().all(|l| l.contains(" 0/0 ")), "every entry is root's:\n{contents}");
    assert!(!contents.contains("opt/kazoo/log"), "nothing of a run is packed");

    let lintian = Command::new("lintian").arg("--no-tag-display-limit").arg(&package).output().unwrap();
    let said = text(&lintian.stdout);
    let errors: Vec<&str> = said.lines().filter(|l| l.starts_with("E:")).collect();
    assert!(errors.is_empty(), "lintian reports errors:\n{said}{}", text(&lintian.stderr));
}

/// `shlibs:Depends` as dpkg-shlibdeps finds it for the tree's ELF files.
fn shlibdeps(tree: &Path) -> String {
    let scratch = tempfile::tempdir().unwrap();
    fs::create_dir(scratch.path().join("debian")).unwrap();
    fs::write(scratch.path().join("debian/control"), "Source: kazoo\n\nPackage: kazoo\nArchitecture: any\n").unwrap();
    let mut elves = Vec::new();
    let mut dirs = vec![tree.to_owned()];
    while let Some(dir) = dirs.pop() {
        for path in fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                dirs.push(path);
            } else if meta.is_file() && fs::read(&path).unwrap().starts_with(b"\x7fELF") {
                elves.push(path);
            }
        }
    }
    let printed =
        ok(Command::new("dpkg-shlibdeps").arg("-O").args(&elves).current_dir(scratch.path()).output().unwrap());
    printed.trim().strip_prefix("shlibs:Depends=").expect("dpkg-shlibdeps prints shlibs:Depends").to_owned()
}

/// The [Service] lines of a unit a test needs, with `%i` = `instance` and the system
/// manager's `%t` and `%L`.
struct Service {
    exec_start: Vec<String>,
    exec_stop: Vec<String>,
    user: String,
    group: String,
    env: Vec<(String, String)>,
    runtime_dir: String,
}

impl Service {
    fn of(unit: &str, instance: &str) -> Service {
        let expand = |v: &str| {
            v.replace("%%", "\u{0}")
                .replace("%i", instance)
                .replace("%t", "/run")
                .replace("%L", "/var/log")
                .replace('\u{0}', "%")
        };
        let value = |key: &str| unit.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')).map(expand);
        let words = |v: String| v.trim_start_matches('-').split_whitespace().map(str::to_owned).collect();
        let env = unit
            .lines()
            .filter_map(|l| l.strip_prefix("Environment="))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), expand(v)))
            .collect();
        Service {
            exec_start: words(value("ExecStart").expect("ExecStart")),
            exec_stop: words(value("ExecStop").expect("ExecStop")),
            user: value("User").expect("User"),
            group: value("Group").expect("Group"),
            env,
            runtime_dir: format!("/run/{}", value("RuntimeDirectory").expect("RuntimeDirectory")),
        }
    }

    /// The environment systemd gives the unit's commands.
    fn environment(&self) -> Vec<(&str, String)> {
        let mut env: Vec<(&str, String)> = self.env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        env.extend([
            ("PATH", ROOT_PATH.to_owned()),
            ("HOME", "/nonexistent".to_owned()),
            ("LANG", "C.UTF-8".to_owned()),
        ]);
        env
    }
}

/// A minimal Debian root of one test's in an isolated host (its own loopback, no Erlang).
struct Chroot {
    host: IsolatedHost,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Chroot {
    fn new() -> Chroot {
        let dir = tempfile::tempdir().unwrap();
        let host = IsolatedHost::new(&[]);
        let root = test_root(&host, dir.path());
        Chroot { host, root, _dir: dir }
    }

    /// `args` run in the root as root.
    fn root(&self, args: &[&str]) -> Command {
        let env = [("PATH", ROOT_PATH.to_owned()), ("LANG", "C.UTF-8".to_owned())];
        self.host.root("chroot", &[&[self.root.to_str().unwrap()], args].concat(), &env)
    }

    /// `args` run in the root as `user`:`group`, with `env`.
    fn user(&self, user: &str, group: &str, args: &[String], env: &[(&str, String)]) -> Command {
        let root = self.root.to_str().unwrap();
        let head = [root, "setpriv", "--reuid", user, "--regid", group, "--init-groups", "--"];
        let words: Vec<&str> = head.into_iter().chain(args.iter().map(String::as_str)).collect();
        self.host.root("chroot", &words, env)
    }

    /// A path of the root, as this test sees it through the host's mounts.
    fn path(&self, inside: &str) -> PathBuf {
        self.host.view(&self.root.join(inside.trim_start_matches('/')))
    }

    /// dpkg's status of `package` in the root (`install ok installed`, `deinstall ok config-files`).
    fn status(&self, package: &str) -> String {
        let printed = self.root(&["dpkg-query", "-W", "-f", "${Status} ${Version}", package]).output().unwrap();
        text(&printed.stdout)
    }
}

/// A process that is killed when dropped if still running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the node did not exit within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_package_installs_in_a_minimal_debian_root_runs_a_node_through_its_unit_and_removes_and_purges_cleanly() {
    let out = tempfile::tempdir().unwrap();
    let first = deb(out.path(), &[]);
    let next = deb(out.path(), &["--revision", "2"]);
    let chroot = Chroot::new();
    // The root has no Erlang of its own.
    assert!(!chroot.path("usr/lib/erlang").exists() && !chroot.path("usr/bin/erl").exists());
    for package in [&first, &next] {
        fs::copy(package, chroot.path("tmp").join(package.file_name().unwrap())).unwrap();
    }
    let inside = |package: &Path| format!("/tmp/{}", package.file_name().unwrap().to_str().unwrap());
    ok(chroot.root(&["dpkg", "-i", &inside(&first)]).output().unwrap());
    assert!(chroot.status("kazoo").starts_with("install ok installed 4.3.0-1"), "{}", chroot.status("kazoo"));

    // The postinst made the user and group, gave it the log dir; the tree is root's.
    let passwd = ok(chroot.root(&["getent", "passwd", "kazoo"]).output().unwrap());
    assert!(passwd.contains(":/nonexistent:/usr/sbin/nologin"), "{passwd}");
    let uid: u32 = passwd.split(':').nth(2).unwrap().parse().unwrap();
    let log = fs::metadata(chroot.path("var/log/kazoo")).unwrap();
    assert_eq!((log.uid(), log.mode() & 0o777), (uid, 0o750));
    let tree = fs::metadata(chroot.path("opt/kazoo/lib")).unwrap();
    assert_eq!((tree.uid(), tree.mode() & 0o022), (0, 0), "the tree is root's and closed to writes");
    let config = fs::metadata(chroot.path("etc/kazoo/config.ini")).unwrap();
    assert_eq!((config.uid(), config.mode() & 0o777), (0, 0o640), "config.ini is readable by root and the group");

    // The operator fills the cookie in, then the unit's ExecStart runs as its user.
    let ini = chroot.path("etc/kazoo/config.ini");
    let cookie = format!("deb_{}", std::process::id());
    let filled = fs::read_to_string(&ini)
        .unwrap()
        .replace("[kazoo_apps]\n; cookie = ", &format!("[kazoo_apps]\ncookie = {cookie}"));
    assert!(filled.contains(&cookie), "config.ini has a [kazoo_apps] cookie line to fill in");
    fs::write(&ini, &filled).unwrap();
    let unit = fs::read_to_string(chroot.path("lib/systemd/system/kazoo@.service")).unwrap();
    let service = Service::of(&unit, "ecallmgr");
    assert_eq!(service.exec_start, ["/opt/kazoo/bin/kazoo", "foreground", "ecallmgr"]);
    assert_eq!((service.user.as_str(), service.group.as_str()), ("kazoo", "kazoo"));
    // RuntimeDirectory=, as systemd makes it for the unit's user.
    ok(chroot
        .root(&["install", "-d", "-o", &service.user, "-g", &service.group, &service.runtime_dir])
        .output()
        .unwrap());
    let env = service.environment();
    let child =
        chroot.user(&service.user, &service.group, &service.exec_start, &env).stdout(Stdio::null()).spawn().unwrap();
    let mut node = Running(child);
    let ping: Vec<String> = ["/opt/kazoo/bin/kazoo", "ping", "ecallmgr"].map(str::to_owned).to_vec();
    await_pong(&mut node, || chroot.user(&service.user, &service.group, &ping, &env).output().unwrap());
    ok(chroot.user(&service.user, &service.group, &service.exec_stop, &env).output().unwrap());
    assert_eq!(
        wait_exit(&mut node.0, Duration::from_secs(40)).code(),
        Some(0),
        "foreground ends with 0 after ExecStop"
    );
    assert!(chroot.path("var/log/kazoo/ecallmgr").is_dir(), "the node's logs went to /var/log/kazoo");

    // The next version installs over it, keeping the operator's config.ini.
    ok(chroot.root(&["dpkg", "-i", &inside(&next)]).output().unwrap());
    assert!(chroot.status("kazoo").starts_with("install ok installed 4.3.0-2"), "{}", chroot.status("kazoo"));
    assert!(fs::read_to_string(&ini).unwrap().contains(&cookie), "the upgrade kept the operator's config.ini");

    // Remove keeps /etc and the logs; purge takes them.
    ok(chroot.root(&["dpkg", "-r", "kazoo"]).output().unwrap());
    assert!(!chroot.path("opt/kazoo").exists() && !chroot.path("lib/systemd/system/kazoo@.service").exists());
    assert!(ini.is_file() && chroot.path("var/log/kazoo/ecallmgr").is_dir(), "remove keeps /etc/kazoo and the logs");
    assert!(chroot.status("kazoo").starts_with("deinstall ok config-files"), "{}", chroot.status("kazoo"));
    ok(chroot.root(&["dpkg", "-P", "kazoo"]).output().unwrap());
    assert!(
        !chroot.path("etc/kazoo").exists() && !chroot.path("var/log/kazoo").exists(),
        "purge takes /etc/kazoo and the logs"
    );
}

/// Runs `oci-image` into `out`; returns the archive and its reference name.
fn oci_image(out: &Path) -> (PathBuf, String) {
    let printed = ok(kazoo(out, &["oci-image"]));
    let line = printed.lines().find_map(|l| l.strip_prefix("wrote ")).expect("oci-image names its archive");
    let (path, reference) = line.split_once(" (oci-archive:").unwrap();
    let tag = reference.trim_end_matches(')').strip_prefix(path).unwrap().trim_start_matches(':');
    (PathBuf::from(path), tag.to_owned())
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("JSON")
}

#[test]
fn the_image_is_reproducible_read_by_skopeo_unpacked_by_umoci_and_its_rootfs_runs_the_default_node_without_erlang() {
    let out = tempfile::tempdir().unwrap();
    let (archive, tag) = oci_image(out.path());
    assert_eq!(tag, "kazoo:4.3.0");
    let first = fs::read(&archive).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    fs::remove_dir_all(out.path().join("kazoo")).unwrap();
    assert!(first == fs::read(oci_image(out.path()).0).unwrap(), "two runs give the same image");

    let reference = format!("oci-archive:{}:{tag}", archive.display());
    let inspect = json(ok(Command::new("skopeo").args(["inspect", &reference]).output().unwrap()).as_bytes());
    assert_eq!(inspect["Layers"].as_array().unwrap().len(), 3, "{inspect}");
    assert_eq!(inspect["Labels"]["org.opencontainers.image.version"], "4.3.0");
    assert_eq!(inspect["Labels"]["org.opencontainers.image.title"], "kazoo");
    let config =
        json(ok(Command::new("skopeo").args(["inspect", "--config", &reference]).output().unwrap()).as_bytes());
    let run = &config["config"];
    assert_eq!(run["User"], "kazoo");
    assert_eq!(run["Entrypoint"], serde_json::json!(["/opt/kazoo/bin/kazoo", "foreground"]));
    assert_eq!(run["Cmd"], serde_json::json!(["kazoo_apps"]));
    for port in ["4369/tcp", "11500/tcp", "11999/tcp"] {
        assert!(run["ExposedPorts"].get(port).is_some(), "{port} exposed: {run}");
    }
    let env: Vec<String> = run["Env"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert!(
        env.contains(&"PIPE_DIR=/tmp/kazoo/pipes".to_owned())
            && env.contains(&"RUNNER_LOG_DIR=/var/log/kazoo".to_owned())
    );

    // Layers by change rate: the system, then the runtime, then the release.
    let layers = layer_paths(&archive);
    let has = |layer: &[String], prefix: &str| layer.iter().any(|p| p.starts_with(prefix));
    assert!(has(&layers[0], "etc/passwd") && has(&layers[0], "lib64/ld-linux") && !has(&layers[0], "opt/kazoo/"));
    assert!(has(&layers[1], "opt/kazoo/erts-") && has(&layers[1], "opt/kazoo/lib/kernel-"));
    assert!(
        !has(&layers[1], "opt/kazoo/releases")
            && !has(&layers[1], "opt/kazoo/bin")
            && !has(&layers[1], "opt/kazoo/lib/ecallmgr-")
    );
    assert!(
        has(&layers[2], "opt/kazoo/bin/kazoo")
            && has(&layers[2], "opt/kazoo/releases/4.3.0/")
            && has(&layers[2], "opt/kazoo/lib/ecallmgr-4.3.0/")
    );
    assert!(!has(&layers[2], "opt/kazoo/erts-") && !has(&layers[2], "opt/kazoo/lib/kernel-"));

    // umoci unpacks it from the layout the archive holds.
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    fs::create_dir(&layout).unwrap();
    ok(Command::new("tar").arg("xf").arg(&archive).arg("-C").arg(&layout).output().unwrap());
    let bundle = work.path().join("bundle");
    let image = format!("{}:{tag}", layout.display());
    ok(Command::new("umoci").args(["unpack", "--image", &image]).arg(&bundle).output().unwrap());
    let rootfs = bundle.join("rootfs");
    assert!(!rootfs.join("bin/sh").exists() && !rootfs.join("usr/bin/sh").exists(), "no shell in the image");
    let passwd = fs::read_to_string(rootfs.join("etc/passwd")).unwrap();
    let user = passwd.lines().find(|l| l.starts_with("kazoo:")).expect("/etc/passwd names the user");
    let uid = user.split(':').nth(2).unwrap().to_owned();
    let log = fs::metadata(rootfs.join("var/log/kazoo")).unwrap();
    assert_eq!(log.uid().to_string(), uid, "the log dir is the user's");

    // Entered as a runtime would: its own loopback, /proc and /dev, no Erlang of the host's
    // anywhere, as the image's user, with the image's Env and the operator's cookie.
    let host = IsolatedHost::new(&[Path::new(support::isolated::OTP_ROOT)]);
    for dir in ["proc", "dev"] {
        fs::create_dir_all(rootfs.join(dir)).unwrap();
    }
    let r = rootfs.display().to_string();
    let mount = format!("mount -t proc proc {r}/proc && mount --bind /dev {r}/dev");
    ok(host.root("sh", &["-c", &mount], &[("PATH", ROOT_PATH.to_owned())]).output().unwrap());
    let cookie = format!("oci_{}", std::process::id());
    let mut env: Vec<(&str, String)> =
        env.iter().filter_map(|e| e.split_once('=')).map(|(k, v)| (k, v.to_owned())).collect();
    env.extend([("KAZOO_COOKIE", cookie.clone()), ("KAZOO_HOST", "127.0.0.1".to_owned())]);
    let userspec = format!("--userspec={uid}:{uid}");
    let command: Vec<String> = [run["Entrypoint"].clone(), run["Cmd"].clone()]
        .iter()
        .flat_map(|words| words.as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_owned()))
        .collect();
    let args: Vec<&str> =
        ["/usr/sbin/chroot", &userspec, &r].into_iter().chain(command.iter().map(String::as_str)).collect();
    let child = host.root(args[0], &args[1..], &env).stdout(Stdio::null()).spawn().unwrap();
    let mut node = Running(child);
    // Pinged from outside the root: this build's binary, on the host's loopback.
    let outside = [("KAZOO_COOKIE", cookie), ("PATH", ROOT_PATH.to_owned())];
    await_pong(&mut node, || host.root(BIN, &["ping", "kazoo_apps@127.0.0.1"], &outside).output().unwrap());
    // nsenter forks the command into the host's pid namespace: signal that child (kazoo,
    // which chroot became).
    let kazoo = support::isolated::children(node.0.id())[0];
    ok(Command::new("kill").args(["-TERM", &kazoo.to_string()]).output().unwrap());
    assert_eq!(wait_exit(&mut node.0, Duration::from_secs(40)).code(), Some(0), "foreground exits 0 on SIGTERM");
}

/// The paths each layer of the image in `archive` holds, bottom layer first.
fn layer_paths(archive: &Path) -> Vec<Vec<String>> {
    let mut blobs = std::collections::HashMap::new();
    let mut outer = tar::Archive::new(fs::File::open(archive).unwrap());
    for entry in outer.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        blobs.insert(path, bytes);
    }
    let blob = |digest: &serde_json::Value| {
        &blobs[&format!("blobs/sha256/{}", digest.as_str().unwrap().trim_start_matches("sha256:"))]
    };
    let index = json(&blobs["index.json"]);
    let manifest = json(blob(&index["manifests"][0]["digest"]));
    let layers = manifest["layers"].as_array().unwrap();
    layers
        .iter()
        .map(|layer| {
            let mut inner = tar::Archive::new(flate2::read::GzDecoder::new(blob(&layer["digest"]).as_slice()));
            inner.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect()
        })
        .collect()
}

#[test]
fn deb_and_oci_image_are_build_machine_commands_and_a_package_needs_a_maintainer() {
    let out = tempfile::tempdir().unwrap();
    let unnamed = Command::new(BIN)
        .args(["deb", "--out"])
        .arg(out.path())
        .env_remove("DEBFULLNAME")
        .env_remove("DEBEMAIL")
        .output()
        .unwrap();
    let (code, stderr) = support::failed(unnamed);
    assert_eq!(code, 1);
    assert!(stderr.contains("DEBFULLNAME and DEBEMAIL"), "{stderr}");
    assert!(!out.path().join("kazoo").exists(), "nothing is built before the maintainer is known");
    // A tree's own binary runs its tree and writes no artefact of it.
    ok(kazoo(out.path(), &["build-release"]));
    for command in ["deb", "oci-image"] {
        let own =
            Command::new(out.path().join("kazoo/bin/kazoo")).arg(command).env("DEBEMAIL", "A <a@example.org>").output();
        let (code, stderr) = support::failed(own.unwrap());
        assert_eq!(code, 2, "{command}: {stderr}");
        assert!(stderr.contains("on the build machine"), "{command}: {stderr}");
    }
    let bad = support::failed(kazoo(out.path(), &["deb", "--revision", "1-2"]));
    assert_eq!(bad.0, 1);
    assert!(bad.1.contains("--revision `1-2`"), "{}", bad.1);
}

/// Runs `ping` until it answers `pong`, failing when `node` ends first or 60 s pass.
fn await_pong(node: &mut Running, mut ping: impl FnMut() -> Output) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answered = ping();
        if answered.status.success() {
            assert_eq!(text(&answered.stdout).trim(), "pong");
            return;
        }
        assert!(node.0.try_wait().unwrap().is_none(), "foreground ended: {}", text(&answered.stderr));
        assert!(Instant::now() < deadline, "the node did not answer: {}", text(&answered.stderr));
        std::thread::sleep(Duration::from_millis(200));
    }
}
