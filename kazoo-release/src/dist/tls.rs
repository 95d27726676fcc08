//! TLS distribution, the client's side (rustls, no BEAM): the node's certificate checked
//! against the operator's CA and the host of the node's name, as OTP's `inet_tls_dist`
//! checks a peer's, and the host's own certificate presented to the node, which demands one
//! (`verify_peer` with `fail_if_no_peer_cert`).

use std::fs;
use std::io::{self, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::wire::Bounded;

/// One file the operator gives, and the variable that names another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFile {
    pub path: PathBuf,
    pub var: String,
}

/// The operator's files: the CA that signs every node's certificate, and this host's
/// certificate and key, which its nodes serve and its commands present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: TlsFile,
    pub cert: TlsFile,
    pub key: TlsFile,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {what} {} ({source}); make one with `certs init` and `certs host HOST`, or set {} to the file", file.path.display(), file.var)]
    Unreadable { what: &'static str, file: TlsFile, source: io::Error },
    #[error("{what} {} holds no {expected} in PEM; set {} to a PEM file that does", file.path.display(), file.var)]
    Empty { what: &'static str, file: TlsFile, expected: &'static str },
    #[error("the key {} can be read by others (mode {mode:03o}); `chmod 600` it, as Erlang refuses a cookie file others can read", file.path.display())]
    KeyOpen { file: TlsFile, mode: u32 },
    #[error("the CA {}, the certificate {} and the key {} do not make a TLS client: {detail}", files.ca.path.display(), files.cert.path.display(), files.key.path.display())]
    Config { files: Box<TlsFiles>, detail: String },
}

/// A TLS client made from the operator's files; cheap to clone.
#[derive(Clone)]
pub struct Tls {
    config: Arc<ClientConfig>,
    pub files: Arc<TlsFiles>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("files", &self.files).finish_non_exhaustive()
    }
}

impl PartialEq for Tls {
    fn eq(&self, other: &Tls) -> bool {
        self.files == other.files
    }
}

impl Eq for Tls {}

impl Tls {
    /// Reads and checks the files: each readable, holding what it should, the key closed
    /// to others.
    pub fn load(files: &TlsFiles) -> Result<Tls, TlsError> {
        let mut roots = RootCertStore::empty();
        for ca in certificates("the CA certificate", &files.ca)? {
            roots.add(ca).map_err(|e| config_error(files, e))?;
        }
        let chain = certificates("the host's certificate", &files.cert)?;
        let key = private_key(&files.key)?;
        // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key
        // exchange; the ssl of Debian 12's OTP 25 offers none either, and ring needs no cmake.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| config_error(files, e))?
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .map_err(|e| config_error(files, e))?;
        Ok(Tls { config: Arc::new(config), files: Arc::new(files.clone()) })
    }

    /// A client of the node at `host`, whose certificate must be for that name.
    pub(super) fn client(&self, host: &str) -> io::Result<ClientConnection> {
        let name = ServerName::try_from(host.to_owned()).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{host}` cannot be checked against a certificate: {e}"),
            )
        })?;
        ClientConnection::new(self.config.clone(), name).map_err(io::Error::other)
    }
}

/// Whether the peer sent anything (or closed) within `wait`.
pub(super) fn answers_within(socket: &Bounded, wait: Duration) -> io::Result<bool> {
    socket.stream.set_read_timeout(Some(wait))?;
    match socket.stream.peek(&mut [0]) {
        Ok(_) => Ok(true),
        Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Sends what `connection` has to send (the ClientHello first).
pub(super) fn send_pending(connection: &mut ClientConnection, socket: &mut Bounded) -> io::Result<()> {
    while connection.wants_write() {
        connection.write_tls(socket)?;
    }
    Ok(())
}

/// The handshake's end, bounded by the socket's deadline.
pub(super) fn finish(
    mut connection: ClientConnection,
    mut socket: Bounded,
) -> io::Result<StreamOwned<ClientConnection, Bounded>> {
    while connection.is_handshaking() {
        connection.complete_io(&mut socket)?;
    }
    Ok(StreamOwned::new(connection, socket))
}

/// What a TLS failure means for the operator, when `e` is one.
pub(super) fn explain(e: &io::Error, tls: &Tls) -> Option<String> {
    use rustls::{AlertDescription as Alert, CertificateError, Error};
    let error = e.get_ref()?.downcast_ref::<Error>()?;
    let ca = tls.files.ca.path.display();
    Some(match error {
        Error::InvalidCertificate(CertificateError::UnknownIssuer | CertificateError::BadSignature) => {
            format!("its certificate is not signed by the CA {ca}: give both sides certificates of one CA")
        }
        Error::InvalidCertificate(CertificateError::NotValidForName) => {
            "its certificate is not for the host of its name: make the host's certificate with `certs host` and \
             that host name"
                .into()
        }
        Error::InvalidCertificate(other) => format!("its certificate is refused ({other:?})"),
        Error::AlertReceived(
            alert @ (Alert::BadCertificate
            | Alert::UnknownCA
            | Alert::CertificateUnknown
            | Alert::CertificateRequired
            | Alert::AccessDenied
            | Alert::UnsupportedCertificate),
        ) => format!(
            "it refused our certificate {} ({alert:?}): is it signed by the CA the node trusts?",
            tls.files.cert.path.display()
        ),
        other => format!("TLS: {other}"),
    })
}

fn config_error(files: &TlsFiles, e: impl std::fmt::Display) -> TlsError {
    TlsError::Config { files: Box::new(files.clone()), detail: e.to_string() }
}

fn open(what: &'static str, file: &TlsFile) -> Result<BufReader<fs::File>, TlsError> {
    let unreadable = |source| TlsError::Unreadable { what, file: file.clone(), source };
    // A directory opens; reading it fails with EISDIR, which names the problem.
    Ok(BufReader::new(fs::File::open(&file.path).map_err(unreadable)?))
}

fn certificates(what: &'static str, file: &TlsFile) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let unreadable = |source| TlsError::Unreadable { what, file: file.clone(), source };
    let certs: Vec<_> = rustls_pemfile::certs(&mut open(what, file)?).collect::<Result<_, _>>().map_err(unreadable)?;
    match certs.is_empty() {
        true => Err(TlsError::Empty { what, file: file.clone(), expected: "certificate" }),
        false => Ok(certs),
    }
}

fn private_key(file: &TlsFile) -> Result<PrivateKeyDer<'static>, TlsError> {
    let what = "the host's key";
    let mut reader = open(what, file)?;
    let unreadable = |source| TlsError::Unreadable { what, file: file.clone(), source };
    let mode = reader.get_ref().metadata().map_err(unreadable)?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(TlsError::KeyOpen { file: file.clone(), mode: mode & 0o777 });
    }
    rustls_pemfile::private_key(&mut reader).map_err(unreadable)?.ok_or_else(|| TlsError::Empty {
        what,
        file: file.clone(),
        expected: "private key",
    })
}
