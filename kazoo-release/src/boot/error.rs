//! What can stop the boot files from being written, said so that the reader can act.

use std::path::PathBuf;

use crate::term::ParseError;

/// An error building a node type's `.rel`, `.script` or `.boot`.
#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error(
        "{parse}\n  application `{app}`: its .app file is not valid Erlang terms; fix it there, \
         or rebuild the application to regenerate it"
    )]
    MalformedAppFile { app: String, parse: ParseError },

    #[error(
        "{}: application `{app}`: {problem}; the boot script needs an .app file as systools \
         reads it ({{application, {app}, [{{description, \"...\"}}, {{vsn, \"...\"}}, \
         {{modules, [...]}}, {{registered, [...]}}, {{applications, [...]}}, ...]}}): fix it, or \
         rebuild the application to regenerate it",
        file.display()
    )]
    BadAppFile { app: String, file: PathBuf, problem: String },

    #[error(
        "node type `{node}` has no `{app}` among its resolved applications, and every boot \
         script needs it; resolve the node type with AppIndex::resolve, which always adds \
         kernel and stdlib"
    )]
    MissingApp { node: String, app: String },

    #[error(
        "node type `{node}`: the boot script cannot be encoded as an Erlang term: {message}; \
         an atom in one of its .app files is longer than 255 characters, or an integer too \
         large: fix that .app file"
    )]
    Encode { node: String, message: String },
}
