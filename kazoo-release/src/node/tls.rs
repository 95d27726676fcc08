//! The `-ssl_dist_optfile` a TLS node starts with, written from the operator's files: both
//! sides verify the peer's certificate against the CA; the server side also demands one
//! (`fail_if_no_peer_cert`; OTP refuses that option on the client side, whose `verify_peer`
//! already demands the server's). The file holds paths only, never a key.

use std::io;
use std::path::{Path, PathBuf};

use crate::dist::TlsFiles;
use crate::term::Term;

/// The optfile's name in the VM's private HOME (removed with it; the VM reads it at boot).
const OPTFILE: &str = "ssl_dist.conf";

/// Writes the optfile into `dir`, returning its path.
pub fn write_optfile(dir: &Path, files: &TlsFiles) -> io::Result<PathBuf> {
    let path = dir.join(OPTFILE);
    std::fs::write(&path, format!("{}.\n", optfile(files)))?;
    Ok(path)
}

fn optfile(files: &TlsFiles) -> Term {
    let path = |p: &Path| Term::charlist(p.to_string_lossy());
    let option = |key: &str, value: Term| Term::tuple([Term::atom(key), value]);
    let common = || {
        vec![
            option("certfile", path(&files.cert.path)),
            option("keyfile", path(&files.key.path)),
            option("cacertfile", path(&files.ca.path)),
            option("verify", Term::atom("verify_peer")),
            option("secure_renegotiate", Term::atom("true")),
        ]
    };
    let server = [common(), vec![option("fail_if_no_peer_cert", Term::atom("true"))]].concat();
    Term::list([option("server", Term::list(server)), option("client", Term::list(common()))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::TlsFile;

    #[test]
    fn both_sides_verify_and_the_server_demands_a_certificate() {
        let file = |path: &str| TlsFile { path: path.into(), var: String::new() };
        let files = TlsFiles { ca: file("/etc/x/ca.pem"), cert: file("/etc/x/node.pem"), key: file("/etc/x/node.key") };
        let dir = tempfile::tempdir().unwrap();
        let written = std::fs::read_to_string(write_optfile(dir.path(), &files).unwrap()).unwrap();
        let terms = crate::term::parse_str(&written, "ssl_dist.conf").unwrap();
        let [Term::List(sides)] = &terms[..] else { panic!("{written}") };
        let pair = |key: &str, value: Term| Term::tuple([Term::atom(key), value]);
        let side = |name: &str| match sides.iter().find(|s| matches!(s, Term::Tuple(t) if t[0] == Term::atom(name))) {
            Some(Term::Tuple(t)) => match &t[1] {
                Term::List(options) => options.clone(),
                other => panic!("{name} is {other}"),
            },
            _ => panic!("no {name} in {written}"),
        };
        let (server, client) = (side("server"), side("client"));
        let demand = pair("fail_if_no_peer_cert", Term::atom("true"));
        for options in [&server, &client] {
            assert!(options.contains(&pair("verify", Term::atom("verify_peer"))), "{written}");
            assert!(options.contains(&pair("cacertfile", Term::charlist("/etc/x/ca.pem"))), "{written}");
            assert!(options.contains(&pair("keyfile", Term::charlist("/etc/x/node.key"))), "{written}");
        }
        assert!(server.contains(&demand) && !client.contains(&demand), "{written}");
    }
}
