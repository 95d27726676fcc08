//! What can go wrong finding and resolving applications, said so that the reader can act.

use std::io;
use std::path::PathBuf;

use crate::term::ParseError;

use super::scan::SearchedDir;

/// An error finding the OTP install, reading `.app` files or resolving a node type.
#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    #[error(
        "no Erlang/OTP found: ERL_ROOT is not set and there is no `erl` on PATH ({path}); \
         install Erlang/OTP (Debian: `apt-get install erlang-nox`) or set ERL_ROOT to its root \
         directory (the one holding erts-<vsn>/ and lib/, e.g. /usr/lib/erlang)"
    )]
    OtpNotFound { path: String },

    #[error(
        "{via} gives {}, which is not an Erlang/OTP root: {problem}; set ERL_ROOT to the \
         directory holding erts-<vsn>/, lib/ and releases/ (e.g. /usr/lib/erlang) or install \
         Erlang/OTP (Debian: `apt-get install erlang-nox`)",
        root.display()
    )]
    NotAnOtpRoot { via: String, root: PathBuf, problem: String },

    #[error("cannot read {}: {source}; check that it exists and is readable", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error(
        "lib dir `{dir}` ({}) does not exist{}: create it (build its applications into it), \
         fix the path, or mark it `optional(\"{dir}\")` in lib_dirs if it may be missing",
        path.display(),
        match declared.is_empty() { true => String::new(), false => format!(" (declared at {declared})") }
    )]
    MissingLibDir { dir: String, path: PathBuf, declared: String },

    #[error(
        "{parse}\n  this application resource (.app) file is not valid Erlang terms; fix it \
         there, or rebuild the application to regenerate it"
    )]
    MalformedAppFile { parse: ParseError },

    #[error(
        "{}: {problem}; an .app file holds one term {{application, Name, [{{description, \"...\"}}, \
         {{vsn, \"1.0\"}}, {{applications, [kernel, stdlib]}}, ...]}}: fix it, or rebuild the application to \
         regenerate it",
        path.display()
    )]
    BadAppFile { path: PathBuf, problem: String },

    #[error(
        "node type `{node}`: application `{app}` not found (dependency chain: {})\n  searched, \
         in order:\n{}  looking in each for */ebin/{app}.app; build \
         it, or add the directory that holds it to the spec's lib_dirs",
        chain.join(" -> "),
        list_dirs(searched)
    )]
    MissingApp { node: String, app: String, chain: Vec<String>, searched: Vec<SearchedDir> },

    #[error(
        "node type `{node}`: application `{app}` is pinned to version {pinned}, but only {} \
         found; pin one of those, or put {app}-{pinned}/ in one of the lib dirs",
        list_found(found)
    )]
    PinNotFound { node: String, app: String, pinned: String, found: Vec<(String, PathBuf)> },

    #[error(
        "node type `{node}`: application `{app}` is listed twice, with {first} and with \
         {second}; list it once (the base applications count as listed in every node type)"
    )]
    ConflictingSpecs { node: String, app: String, first: String, second: String },

    #[error(
        "node type `{node}`: applications depend on each other in a cycle: {}; no start order \
         exists, so remove one of these dependencies from `applications` or \
         `included_applications` in the .app files",
        cycle.join(" -> ")
    )]
    Cycle { node: String, cycle: Vec<String> },
}

fn list_dirs(dirs: &[SearchedDir]) -> String {
    dirs.iter()
        .map(|dir| match dir.exists {
            true => format!("    {}\n", dir.path.display()),
            false => format!("    {} (does not exist)\n", dir.path.display()),
        })
        .collect()
}

fn list_found(found: &[(String, PathBuf)]) -> String {
    let each: Vec<String> = found.iter().map(|(vsn, dir)| format!("{vsn} ({})", dir.display())).collect();
    match each.len() {
        1 => format!("{} was", each[0]),
        _ => format!("{} were", each.join(", ")),
    }
}

/// Something the caller should tell the user about, but that does not stop a build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanWarning {
    #[error(
        "lib dir {} does not exist, so no applications were found there; build the \
         applications into it, or remove it from the spec's lib_dirs",
        .0.display()
    )]
    MissingLibDir(PathBuf),

    #[error(
        "application `{app}` was found {} times: {}; using {} ({}), {reason}; pin the version \
         the release should use (`{app}(\"<vsn>\")` in the node's apps) to choose another, \
         or remove the others",
        found.len(),
        list_versions(found),
        chosen.0,
        chosen.1.display()
    )]
    SeveralVersions {
        app: String,
        /// Every copy, `(vsn, dir)` in search order (the lib dirs in order, then OTP's).
        found: Vec<(String, PathBuf)>,
        chosen: (String, PathBuf),
        /// Why this one: "the highest version", or "the first found of that version".
        reason: &'static str,
    },
}

fn list_versions(found: &[(String, PathBuf)]) -> String {
    let each: Vec<String> = found.iter().map(|(vsn, dir)| format!("{vsn} ({})", dir.display())).collect();
    each.join(", ")
}
