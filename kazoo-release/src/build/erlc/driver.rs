//! The compiler VM: one `erl -noshell` running `driver.erl` for the whole build, requests and
//! replies one term a line over its stdin and stdout (its stderr is the build's). Starting a
//! VM costs about 0.3 s, so a build of two thousand modules starts one, not two thousand.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::ErlcError;
use crate::term::{self, Term};

const SOURCE: &str = include_str!("driver.erl");
const MODULE: &str = "kazoo_release_erlc_driver";

pub(crate) struct Driver {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Driver {
    /// Starts `erl` (of the OTP at `otp_root`) in `work_dir`, where the driver's source is
    /// written and where the compiler's `.` and a crash dump would be.
    pub fn start(otp_root: &Path, work_dir: &Path) -> Result<Driver, ErlcError> {
        let source = work_dir.join(format!("{MODULE}.erl"));
        super::write_if_changed(&source, SOURCE.as_bytes())?;
        let boot = format!(
            "{{ok, M, B}} = compile:file(\"{MODULE}.erl\", [binary, report]), {{module, M}} = code:load_binary(M, \"{MODULE}.erl\", B), M:main()."
        );
        let erl = otp_root.join("bin").join("erl");
        let mut child = Command::new(&erl)
            .args(["-noshell", "+pc", "unicode", "-boot", "start_clean", "-eval", &boot])
            .current_dir(work_dir)
            .env("ERL_CRASH_DUMP", work_dir.join("erl_crash.dump"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => ErlcError::Missing,
                _ => ErlcError::Io { path: erl.clone(), source: e },
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(ErlcError::Driver("its stdin or stdout could not be opened".into()));
        };
        Ok(Driver { child, stdin: Some(stdin), stdout: BufReader::new(stdout) })
    }

    pub fn send(&mut self, request: &Term) -> Result<(), ErlcError> {
        let stdin = self.stdin.as_mut().ok_or_else(|| ErlcError::Driver("its input is closed".into()))?;
        writeln!(stdin, "{request}.").and_then(|()| stdin.flush()).map_err(|e| self.gone(&e.to_string()))
    }

    /// The next reply, whichever request it answers.
    pub fn receive(&mut self) -> Result<Term, ErlcError> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) => return Err(self.gone("it closed its output")),
            Ok(_) => {}
            Err(e) => return Err(self.gone(&e.to_string())),
        }
        let mut terms = term::parse_str(&line, "the compiler VM's reply")
            .map_err(|e| ErlcError::Driver(format!("unreadable reply {line:?}: {e}")))?;
        match (terms.pop(), terms.is_empty()) {
            (Some(reply), true) => Ok(reply),
            _ => Err(ErlcError::Driver(format!("unreadable reply {line:?}"))),
        }
    }

    /// Sends a request that has a reply of its own and waits for it.
    pub fn call(&mut self, request: &Term) -> Result<Term, ErlcError> {
        self.send(request)?;
        self.receive()
    }

    /// Prepends `dirs` to the VM's code path: parse transforms and behaviours load from there,
    /// and `include_lib` finds applications there first (so a lib dir's `lager` wins over the
    /// OTP root's).
    pub fn add_code_paths(&mut self, dirs: &[PathBuf]) -> Result<(), ErlcError> {
        let dirs = dirs.iter().map(|d| Term::charlist(d.to_string_lossy()));
        self.call(&Term::tuple([Term::atom("paths"), Term::list(dirs)])).map(drop)
    }

    /// rebar's architecture string (`25-x86_64-pc-linux-gnu-64`), which `platform_define`
    /// and `port_env` patterns match.
    pub fn arch(&mut self) -> Result<String, ErlcError> {
        match self.call(&Term::tuple([Term::atom("arch")]))?.as_tuple() {
            Some([_, arch]) => arch.as_str().map(str::to_owned),
            _ => None,
        }
        .ok_or_else(|| ErlcError::Driver("no architecture in its reply".into()))
    }

    /// Evaluates an Erlang script file as rebar3 does (`file:script/2`) with `CONFIG` bound
    /// to `config` and `SCRIPT` to its path; returns its value.
    pub fn script(&mut self, file: &Path, config: Term) -> Result<Term, ErlcError> {
        let path = Term::charlist(file.to_string_lossy());
        let bindings = Term::list([
            Term::tuple([Term::atom("CONFIG"), config]),
            Term::tuple([Term::atom("SCRIPT"), path.clone()]),
        ]);
        let reply = self.call(&Term::tuple([Term::atom("script"), Term::Integer(0), path, bindings]))?;
        let failed = |why: String| ErlcError::Script { path: file.to_owned(), why };
        match reply.as_tuple() {
            Some([_, _, outcome]) => match outcome.as_tuple() {
                Some([status, value]) if status.as_atom() == Some("ok") => Ok(value.clone()),
                Some([_, why]) => Err(failed(why.as_str().unwrap_or("it failed").to_owned())),
                _ => Err(failed(format!("{outcome}"))),
            },
            _ => Err(failed(format!("{reply}"))),
        }
    }

    /// Closes the VM's input; it ends once every reply is out.
    pub fn finish(mut self) -> Result<(), ErlcError> {
        drop(self.stdin.take());
        let status = self.child.wait().map_err(|e| ErlcError::Driver(e.to_string()))?;
        match status.success() {
            true => Ok(()),
            false => Err(ErlcError::Driver(format!("it exited with {status}"))),
        }
    }

    fn gone(&mut self, what: &str) -> ErlcError {
        let status = self.child.try_wait().ok().flatten().map(|s| format!(" ({s})")).unwrap_or_default();
        ErlcError::Driver(format!("{what}{status}; its messages are above"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // A build that stopped early (an error) leaves no VM behind.
        if self.stdin.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
