//! A minimal Debian root of this machine's release (`debootstrap --variant=minbase`, from the
//! mirror apt uses here), made once under `target/debian-root/` and kept there (never
//! committed), and a root of one test's: that root under an overlay whose upper layer is the
//! test's, mounted in an isolated host's mount namespace, so that the kept root never changes,
//! with the /etc/hosts a host's installer writes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::deployment::checkout;
use super::isolated::IsolatedHost;
use super::ok;

/// The codename of this machine's Debian release (`bookworm`).
pub fn codename() -> String {
    let release = fs::read_to_string("/etc/os-release").unwrap();
    let line = release.lines().find_map(|l| l.strip_prefix("VERSION_CODENAME="));
    line.expect("/etc/os-release names VERSION_CODENAME").trim_matches('"').to_owned()
}

/// The first mirror apt's sources name for `suite` (deb822 `.sources` files, then one-line
/// `sources.list` entries).
fn mirror(suite: &str) -> String {
    let mut files: Vec<PathBuf> = vec!["/etc/apt/sources.list".into()];
    if let Ok(dir) = fs::read_dir("/etc/apt/sources.list.d") {
        files.extend(dir.filter_map(|e| e.ok().map(|e| e.path())));
    }
    for file in files {
        let text = fs::read_to_string(&file).unwrap_or_default();
        for stanza in text.split("\n\n") {
            let field = |name: &str| stanza.lines().find_map(|l| l.strip_prefix(name)).map(str::trim);
            if field("Suites:").is_some_and(|s| s.split_whitespace().any(|s| s == suite)) {
                if let Some(uri) = field("URIs:").and_then(|u| u.split_whitespace().next()) {
                    return uri.to_owned();
                }
            }
        }
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().filter(|w| !w.starts_with('[')).collect();
            if words.len() >= 3 && words[0] == "deb" && words[2] == suite {
                return words[1].to_owned();
            }
        }
    }
    panic!("no apt source of this machine names the suite {suite}: debootstrap needs its mirror");
}

/// `target/debian-root/<codename>-minbase`, made when missing: debootstrap writes beside it,
/// and the root is renamed into place once whole, so a killed run leaves none half made, and
/// of two tests making it at once the second finds the first's.
pub fn kept_root() -> PathBuf {
    let dir = checkout().join("target/debian-root");
    fs::create_dir_all(&dir).unwrap();
    let suite = codename();
    let root = dir.join(format!("{suite}-minbase"));
    if root.join("var/lib/dpkg/status").is_file() {
        return root;
    }
    let making = dir.join(format!(".{suite}-minbase.tmp-{}-{:?}", std::process::id(), std::thread::current().id()));
    let _ = fs::remove_dir_all(&making);
    let made = Command::new("debootstrap")
        .args(["--variant=minbase", &suite])
        .arg(&making)
        .arg(mirror(&suite))
        .output()
        .expect("debootstrap runs (scripts/setup.sh installs it)");
    ok(made);
    if fs::rename(&making, &root).is_err() {
        // Another test made it meanwhile.
        fs::remove_dir_all(&making).unwrap();
    }
    assert!(root.join("var/lib/dpkg/status").is_file(), "{} is not a Debian root", root.display());
    root
}

/// The kept root as one test's: an overlay on it (the test's writes go to its upper dir),
/// with /proc, /run and /tmp of its own, in `host`'s mount namespace; at `<dir>/root`.
pub fn test_root(host: &IsolatedHost, dir: &Path) -> PathBuf {
    let kept = kept_root();
    for sub in ["upper", "work", "root"] {
        fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let root = dir.join("root");
    let options = format!(
        "lowerdir={},upperdir={},workdir={}",
        kept.display(),
        dir.join("upper").display(),
        dir.join("work").display()
    );
    let sh = |script: String| {
        ok(host.root("sh", &["-c", &script], &[("PATH", "/usr/sbin:/usr/bin:/sbin:/bin".into())]).output().unwrap())
    };
    let r = root.display();
    sh(format!(
        "mount -t overlay overlay -o {options} {r} && mount -t proc proc {r}/proc && mount -t tmpfs tmpfs {r}/run \
         && mount -t tmpfs -o mode=1777 tmpfs {r}/tmp"
    ));
    // A host's own names, as its installer writes them: long node names need a FQDN.
    let hostname = fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let hosts = format!("127.0.0.1 localhost\n127.0.1.1 {0}.localdomain {0}\n", hostname.trim());
    fs::write(host.view(&root.join("etc/hosts")), hosts).unwrap();
    root
}
