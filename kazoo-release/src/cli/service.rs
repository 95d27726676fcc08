//! The operator's day with a service manager: `systemd-unit` (a template unit for this tree),
//! `logs` (a node's console log and application logs), and foreground's notifier.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};

use super::context::{launch_error, Naming};
use super::{exit, CliError, Context};
use crate::node::notify::{watchdog_period, Notifier, Watched, NOTIFY_SOCKET_ENV, WATCHDOG_PID_ENV, WATCHDOG_USEC_ENV};
use crate::node::pipes::RunDirs;
use crate::node::supervise::Terminal;
use crate::node::NodeName;
use crate::tree::Tree;

/// `stop`'s default --timeout (remote.rs), which the unit's ExecStop waits for.
const STOP_TIMEOUT_SECS: u64 = 30;
/// What systemd grants beyond it: kazoo stop's connection, then the VM's own exit.
const STOP_MARGIN_SECS: u64 = 10;
/// Erlang's default `net_ticktime`: a node silent that long is down for its cluster, so a
/// VM that answers no ping for that long is restarted (kazoo pings every half of it).
const WATCHDOG_SECS: u64 = 60;
/// The group the nodes run as by default.
pub(super) const DEFAULT_GROUP: &str = "daemon";
/// How often `logs -f` looks for more.
const FOLLOW_POLL: Duration = Duration::from_millis(100);
/// How deep `logs --app` looks under the log dir's `log/`.
const APP_LOG_DEPTH: usize = 3;

#[derive(Subcommand)]
pub enum ServiceCommand {
    /// Print a systemd template unit, `<release>@.service`, that runs this tree's nodes
    /// (`systemctl start <release>@<node type>`).
    SystemdUnit {
        /// The user the nodes run as [default: the release's name].
        #[arg(long)]
        user: Option<String>,
        /// The group the nodes run as.
        #[arg(long, default_value = DEFAULT_GROUP)]
        group: String,
    },
    /// Print the node's console log (run_erl's erlang.log.N, as `start` writes it), or with
    /// --app its application log files.
    Logs(Logs),
}

#[derive(Args)]
pub struct Logs {
    /// `type` or `type@host` (default: $REL, else the release's default node).
    node: Option<String>,
    /// The node's name, when not its type's; also the release's NODE variable.
    #[arg(long, value_name = "NAME[@HOST]")]
    name: Option<String>,
    /// The node uses a short name (-sname); also NODE_NAME_TYPE=-sname.
    #[arg(long)]
    sname: bool,
    /// Go on printing what is written, across run_erl's (and the logger's) rotation, until
    /// interrupted.
    #[arg(short, long)]
    follow: bool,
    /// The last N lines (of each file, with --app).
    #[arg(short = 'n', long, value_name = "N", default_value = "10")]
    lines: usize,
    /// The application log files in the node's log dir (`log/**/*.log`: lager's) instead of
    /// its console log.
    #[arg(long)]
    app: bool,
}

impl ServiceCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            ServiceCommand::SystemdUnit { user, group } => {
                let tree = context.tree(false)?;
                let name = &context.spec().name;
                let version = context.spec().version.as_deref().unwrap_or_default();
                let user = user.as_deref().unwrap_or(name);
                super::print(unit(name, version, tree.root(), user, &group))
            }
            ServiceCommand::Logs(logs) => logs.run(context),
        }
    }
}

/// foreground's notifier of systemd (inert for console, and without `NOTIFY_SOCKET`).
pub(super) fn notifier(
    context: &Context,
    tree: &Tree,
    name: &NodeName,
    cookie: &str,
    given: Option<&str>,
    terminal: Terminal,
) -> Result<Notifier, CliError> {
    let Some(socket) = context.env.os(NOTIFY_SOCKET_ENV).filter(|_| terminal != Terminal::Shared) else {
        return Ok(Notifier::inert());
    };
    let apps = super::node::awaited_apps(context, tree, &context.node_type(given)?)?;
    let watchdog = watchdog_period(context.env.var(WATCHDOG_USEC_ENV), context.env.var(WATCHDOG_PID_ENV));
    Ok(Notifier::connect(
        socket,
        Watched {
            name: name.clone(),
            cookie: cookie.to_owned(),
            reach: context.reach().map_err(super::remote::failed)?.clone(),
            watchdog,
            apps,
        },
    ))
}

/// The template unit of release `name` in the tree at `root`.
pub(super) fn unit(name: &str, version: &str, root: &Path, user: &str, group: &str) -> String {
    let bin = quoted(&format!("{}/bin/{name}", root.display()));
    let stop = STOP_TIMEOUT_SECS + STOP_MARGIN_SECS;
    let half = WATCHDOG_SECS / 2;
    format!(
        "\
# The nodes of release {name} {version} in {root}, as `{name} systemd-unit` printed it.
# Save it as /etc/systemd/system/{name}@.service, then
#   systemctl daemon-reload && systemctl start {name}@<node type>
[Unit]
Description={name} {version} node %i
Wants=network-online.target
After=network-online.target

[Service]
# {name} runs the VM as its child and speaks for it: MAINPID= (the VM), READY=1 once the
# node has booted and runs its applications, WATCHDOG=1, STOPPING=1. Once MAINPID names
# the VM, {name} is no longer the main process, so its messages need NotifyAccess=all.
Type=notify
NotifyAccess=all
ExecStart={bin} foreground %i
# `-`: a node that is already gone (it crashed, or `{name} stop` stopped it) is no failure.
ExecStop=-{bin} stop %i
User={user}
Group={group}
# The pipe dir (the launch's private HOME, the VM's pid record), one per instance, so that
# stopping one node type removes none of another's.
RuntimeDirectory={name}/%i
Environment=PIPE_DIR=%t/{name}/%i
# Console and application logs, and crash dumps: %L/{name}/<node type>/.
LogsDirectory={name}
Environment=RUNNER_LOG_DIR=%L/{name}
LimitNOFILE=65536
LimitCORE=infinity
Restart=on-failure
# `stop` waits {STOP_TIMEOUT_SECS} s for the VM to exit, plus {STOP_MARGIN_SECS} s.
TimeoutStopSec={stop}
# {name} pings the VM every {half} s and feeds the watchdog only when it answers; a VM silent
# for {WATCHDOG_SECS} s (Erlang's net_ticktime, after which its cluster takes it for down) is hung
# and is restarted.
WatchdogSec={WATCHDOG_SECS}

[Install]
WantedBy=multi-user.target
",
        root = root.display(),
    )
}

/// `word` as one word of a unit's command line: `%` and `$` escaped (specifiers, variables),
/// in double quotes when it holds blanks, quotes or backslashes.
fn quoted(word: &str) -> String {
    let escaped = word.replace('%', "%%").replace('$', "$$");
    match escaped.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '\\' || c == ';') {
        true => format!("\"{}\"", escaped.replace('\\', "\\\\").replace('"', "\\\"")),
        false => escaped,
    }
}

impl Logs {
    fn run(self, context: &Context) -> Result<(), CliError> {
        let name_type = context.name_type(self.sname)?;
        let naming = Naming { node: self.node.as_deref(), name: self.name.as_deref() };
        let name = name_type.node_name(&context.target(&naming, name_type)?).map_err(launch_error)?;
        // The tree is not written nor opened: the configured log dir is all that is read.
        let dirs = context.run_dirs(&context.root(), &name);
        if !dirs.log.is_dir() {
            return Err(CliError::new(
                exit::FAILURE,
                format!(
                    "node {name} has no log dir {}: it has not run from this release (with this RUNNER_LOG_DIR)",
                    dirs.log.display()
                ),
            ));
        }
        let mut out = io::stdout().lock();
        let printed = match self.app {
            false => self.console(&dirs, &name, &mut out),
            true => self.applications(&dirs, &name, &mut out),
        };
        printed.and_then(|()| out.flush().map_err(CliError::output))
    }

    /// The console log's last lines, across generations, then (-f) what run_erl writes next.
    fn console(&self, dirs: &RunDirs, name: &NodeName, out: &mut dyn Write) -> Result<(), CliError> {
        let logs = dirs.console_logs();
        let Some(newest) = logs.last() else {
            return Err(CliError::new(
                exit::FAILURE,
                format!(
                    "node {name} has no console log (erlang.log.N) in {}: it was not started with `start`; foreground \
                     and console write theirs to their terminal (under systemd: `journalctl -u <unit>`), and `--app` \
                     shows the application logs",
                    dirs.log.display()
                ),
            ));
        };
        // Newest first, until enough lines are had.
        let mut tail: Vec<String> = Vec::new();
        let mut offset = 0;
        for (i, log) in logs.iter().rev().enumerate() {
            let bytes = fs::read(log).unwrap_or_default();
            if i == 0 {
                offset = bytes.len() as u64;
            }
            let mut lines = last_lines(&bytes, self.lines - tail.len().min(self.lines));
            lines.append(&mut tail);
            tail = lines;
            if tail.len() >= self.lines {
                break;
            }
        }
        for line in &tail {
            out.write_all(line.as_bytes()).map_err(CliError::output)?;
        }
        out.flush().map_err(CliError::output)?;
        if !self.follow {
            return Ok(());
        }
        let mut followed = Followed::open(newest, offset);
        loop {
            std::thread::sleep(FOLLOW_POLL);
            // run_erl went on to the next file (and maybe the next, since the last look):
            // the rest of this one, then each newer one from its start. A file gone was
            // deleted by run_erl as its oldest, so every file left is newer.
            let logs = dirs.console_logs();
            let newer = match logs.iter().position(|log| followed.is(log)) {
                Some(at) => &logs[at + 1..],
                None => &logs[..],
            };
            for log in newer {
                followed.copy(out)?;
                followed = Followed::open(log, 0);
            }
            followed.copy(out)?;
        }
    }

    /// Each application log file's last lines (headed by its name when there are several),
    /// then (-f) what is written to any of them, a new or rotated file read from its start.
    fn applications(&self, dirs: &RunDirs, name: &NodeName, out: &mut dyn Write) -> Result<(), CliError> {
        let dir = dirs.log.join("log");
        let files = app_logs(&dir);
        if files.is_empty() && !self.follow {
            return Err(CliError::new(
                exit::FAILURE,
                format!("node {name} has no application log files (*.log) in {}", dir.display()),
            ));
        }
        let headed = files.len() > 1 || self.follow;
        let mut followed = Vec::new();
        for (i, file) in files.iter().enumerate() {
            let bytes = fs::read(file).unwrap_or_default();
            if headed {
                let gap = if i == 0 { "" } else { "\n" };
                writeln!(out, "{gap}==> {} <==", file.display()).map_err(CliError::output)?;
            }
            for line in last_lines(&bytes, self.lines) {
                out.write_all(line.as_bytes()).map_err(CliError::output)?;
            }
            followed.push(Followed::open(file, bytes.len() as u64));
        }
        out.flush().map_err(CliError::output)?;
        if !self.follow {
            return Ok(());
        }
        let mut last = files.last().cloned();
        loop {
            std::thread::sleep(FOLLOW_POLL);
            for file in app_logs(&dir) {
                if !followed.iter().any(|f| f.path == file) {
                    followed.push(Followed::open(&file, 0));
                }
            }
            for f in &mut followed {
                let mut text = Vec::new();
                // The logger rotated it (renamed it away, began a new one): the rest of the
                // old one, then the new one from its start.
                if !f.is(&f.path) {
                    f.copy(&mut text)?;
                    *f = Followed::open(&f.path, 0);
                }
                f.copy(&mut text)?;
                if text.is_empty() {
                    continue;
                }
                if last.as_ref() != Some(&f.path) {
                    writeln!(out, "\n==> {} <==", f.path.display()).map_err(CliError::output)?;
                    last = Some(f.path.clone());
                }
                out.write_all(&text).map_err(CliError::output)?;
            }
            out.flush().map_err(CliError::output)?;
        }
    }
}

/// The application log files under `dir` (`*.log`, in subdirectories too: lager puts its
/// files under its `log_root`), by path.
fn app_logs(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![(dir.to_owned(), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        for path in fs::read_dir(&dir).into_iter().flatten().filter_map(Result::ok).map(|e| e.path()) {
            match fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() && depth < APP_LOG_DEPTH => dirs.push((path, depth + 1)),
                Ok(m) if m.is_file() && path.extension().is_some_and(|e| e == "log") => files.push(path),
                _ => {}
            }
        }
    }
    files.sort();
    files
}

/// The last `n` lines of `bytes`, each with its line end (the last one may have none).
fn last_lines(bytes: &[u8], n: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    lines[lines.len().saturating_sub(n)..].iter().map(|l| l.to_string()).collect()
}

/// A file being followed: where it was read to, and which file it is (its inode), so that
/// one renamed away and made anew is told apart.
struct Followed {
    path: PathBuf,
    file: Option<File>,
    inode: Option<u64>,
    offset: u64,
}

impl Followed {
    fn open(path: &Path, offset: u64) -> Followed {
        let file = File::open(path).ok();
        let inode = file.as_ref().and_then(|f| f.metadata().ok()).map(|m| m.ino());
        Followed { path: path.to_owned(), file, inode, offset }
    }

    /// Whether `path` is still this file.
    fn is(&self, path: &Path) -> bool {
        let inode = fs::metadata(path).ok().map(|m| m.ino());
        path == self.path && inode.is_some() && inode == self.inode
    }

    /// Writes what was added since the last read to `out` (all of it again when the file
    /// was truncated meanwhile).
    fn copy(&mut self, out: &mut dyn Write) -> Result<(), CliError> {
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        let len = file.metadata().map_or(0, |m| m.len());
        if len < self.offset {
            self.offset = 0;
        }
        let read = file.seek(SeekFrom::Start(self.offset)).and_then(|_| {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map(|_| bytes)
        });
        let bytes = read.map_err(|e| CliError::failure(format!("cannot read {}: {e}", self.path.display())))?;
        self.offset += bytes.len() as u64;
        out.write_all(&bytes).map_err(CliError::output)?;
        out.flush().map_err(CliError::output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_with_blanks_or_specifiers_stays_one_word() {
        assert_eq!(quoted("/opt/kazoo/bin/kazoo"), "/opt/kazoo/bin/kazoo");
        assert_eq!(quoted("/opt/100%/bin/kazoo"), "/opt/100%%/bin/kazoo");
        assert_eq!(quoted("/opt/my kazoo/bin/kazoo"), "\"/opt/my kazoo/bin/kazoo\"");
    }

    #[test]
    fn the_last_lines_keep_their_ends() {
        assert_eq!(last_lines(b"a\nb\nc", 2), ["b\n", "c"]);
        assert_eq!(last_lines(b"a\n", 5), ["a\n"]);
        assert!(last_lines(b"a\n", 0).is_empty());
    }
}
