//! Why a build failed, in words that say where and what next.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ErlcError {
    #[error(
        "erl was not found (ERL_ROOT, else PATH); install Erlang/OTP's compiler (Debian: apt-get install erlang-nox erlang-dev)"
    )]
    Missing,
    #[error("{0}")]
    Otp(crate::apps::AppsError),
    #[error("OUT_DIR is not set: call the build from a build script, or set Build::out_dir")]
    NoOutDir,
    #[error("{0}")]
    Modules(ModuleFailure),
    #[error("the compiler VM failed: {0}")]
    Driver(String),
    #[error("{path}: {message}")]
    AppSrc { path: PathBuf, message: String },
    #[error("{0}")]
    Term(#[from] crate::term::ParseError),
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{path}: the script failed: {why}")]
    Script { path: PathBuf, why: String },
    #[error("erlc option `{option}`: {why}")]
    Option { option: String, why: String },
    #[error("{app} ({dir}) has .erl files but no src/{app}.app.src, src/{app}.app.src.script or ebin/{app}.app; give one with Build::app_src")]
    NoAppSrc { app: String, dir: PathBuf },
    #[error("{setting} names `{app}`, which is no application of the lib dirs")]
    UnknownApp { setting: &'static str, app: String },
    #[error("lib_dir_options names {dir}, which is not one of the lib dirs given with lib_dir")]
    UnknownLibDir { dir: PathBuf },
    #[error("replace_source for {app}: {original} does not exist")]
    NoOriginal { app: String, original: PathBuf },
    #[error("two lib dirs named `{name}` ({first}, {second}) would share <out>/{name}; rename one")]
    LibDirName { name: String, first: PathBuf, second: PathBuf },
    #[error("module `{module}` is in both {first} and {second}; a node can load only one")]
    DuplicateModule { module: String, first: PathBuf, second: PathBuf },
    #[error("NIF {target} of {app}: {why}")]
    Nif { app: String, target: PathBuf, why: String },
    #[error("the NIF build stopped on a panic (of cc); its message is above")]
    NifPanic,
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n\n"))]
    All(Vec<ErlcError>),
}

impl ErlcError {
    pub(crate) fn config(path: &std::path::Path, message: &str) -> ErlcError {
        ErlcError::Config { path: path.to_owned(), message: message.to_owned() }
    }

    /// One error for one or several.
    pub(crate) fn all(mut errors: Vec<ErlcError>) -> ErlcError {
        match errors.len() {
            1 => errors.remove(0),
            _ => ErlcError::All(errors),
        }
    }
}

/// Modules that did not compile: each with every error the compiler gave, as erlc prints
/// them (`file:line:col: message`), and how the rest of the build went.
#[derive(Debug)]
pub struct ModuleFailure {
    /// `(module, its errors)`.
    pub failed: Vec<(String, Vec<String>)>,
    /// `(module, the failed or skipped module it needs)`: not compiled.
    pub skipped: Vec<(String, String)>,
    /// Modules compiled by this build.
    pub compiled: usize,
    /// Modules already up to date.
    pub up_to_date: usize,
}

impl fmt::Display for ModuleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize| if n == 1 { "module" } else { "modules" };
        let failed = self.failed.len();
        writeln!(
            f,
            "{failed} Erlang {} did not compile; {} other {} compiled ({} of them already up to date):",
            plural(failed),
            self.compiled + self.up_to_date,
            plural(self.compiled + self.up_to_date),
            self.up_to_date
        )?;
        for line in self.failed.iter().flat_map(|(_, errors)| errors) {
            writeln!(f, "{line}")?;
        }
        if !self.skipped.is_empty() {
            let shown: Vec<String> =
                self.skipped.iter().take(10).map(|(module, needs)| format!("{module} (needs {needs})")).collect();
            let more = self.skipped.len().saturating_sub(shown.len());
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            writeln!(
                f,
                "{} {} not compiled, as they need a module above: {}{more}",
                self.skipped.len(),
                plural(self.skipped.len()),
                shown.join(", ")
            )?;
        }
        Ok(())
    }
}
