//! The private HOME a VM runs with: a directory only the user can enter (0700), holding
//! `.erlang.cookie` (0400). Erlang's auth reads `$HOME/.erlang.cookie`, so the cookie
//! reaches the VM without being on a command line: erlexec copies `-args_file` and
//! `ERL_FLAGS` into beam.smp's argv, where `ps` shows them to every user.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The directory, removed (cookie and substituted files with it) when dropped.
pub struct PrivateHome(tempfile::TempDir);

impl PrivateHome {
    /// A fresh `home-*` directory in `dir` holding `cookie`; `dir` must be closed to others
    /// (see [`RunDirs::create_pipe_dir`](super::pipes::RunDirs::create_pipe_dir)).
    pub fn create(dir: &Path, cookie: &str) -> io::Result<PrivateHome> {
        // tempfile makes the directory with mode 0700 and a name nobody can guess.
        let home = tempfile::Builder::new().prefix("home-").tempdir_in(dir)?;
        let mut file =
            OpenOptions::new().write(true).create_new(true).mode(0o400).open(home.path().join(".erlang.cookie"))?;
        file.write_all(cookie.as_bytes())?;
        Ok(PrivateHome(home))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}
