//! Certificates for TLS distribution, for development and small clusters: a CA, and a
//! host's certificate and key signed by it, for both sides of a connection (a node serves
//! it, its peers and commands present it). An existing PKI needs none of this: its CA's
//! certificate, and each host's certificate and key, go where the nodes look.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

/// The files, by name, in a directory of them.
pub const CA_CERT: &str = "ca.pem";
pub const CA_KEY: &str = "ca.key";
pub const HOST_CERT: &str = "node.pem";
pub const HOST_KEY: &str = "node.key";

#[derive(Debug, thiserror::Error)]
pub enum CertsError {
    #[error("{} exists; remove it first to make a new one (the nodes that trust the old one would refuse the new)", .0.display())]
    Exists(PathBuf),
    #[error("cannot read the CA's key {} ({source}); make the CA with `certs init`, or name its directory with --dir", path.display())]
    NoCa { path: PathBuf, source: io::Error },
    #[error("cannot write {} ({source})", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("{0}")]
    Certificate(#[from] rcgen::Error),
}

/// The CA's parameters; the same each time, so that a host's certificate names as its
/// issuer the CA's subject as written by [`init`].
fn ca_params(release: &str) -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, format!("{release} distribution CA"));
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(params)
}

/// Makes the CA of `release` in `dir`: `ca.pem`, and `ca.key` (0600). Returns the files.
pub fn init(dir: &Path, release: &str) -> Result<[PathBuf; 2], CertsError> {
    let (cert, key) = (dir.join(CA_CERT), dir.join(CA_KEY));
    refuse_existing(&[&cert, &key])?;
    let key_pair = KeyPair::generate()?;
    let ca = ca_params(release)?.self_signed(&key_pair)?;
    create_dir(dir)?;
    write(&key, &key_pair.serialize_pem(), 0o600)?;
    write(&cert, &ca.pem(), 0o644)?;
    Ok([cert, key])
}

/// Makes `host`'s certificate and key (0600) in `to`, signed by the CA in `ca_dir`, with a
/// copy of the CA's certificate beside them when `to` has none, so that `to` is what a
/// host needs. The certificate names `host` and, for a dotted name, its first label too:
/// nodes check a peer's certificate against the host of its node name, long or short.
pub fn host(ca_dir: &Path, to: &Path, host: &str, release: &str) -> Result<Vec<PathBuf>, CertsError> {
    let (cert, key) = (to.join(HOST_CERT), to.join(HOST_KEY));
    refuse_existing(&[&cert, &key])?;
    let ca_key_path = ca_dir.join(CA_KEY);
    let ca_key =
        std::fs::read_to_string(&ca_key_path).map_err(|source| CertsError::NoCa { path: ca_key_path, source })?;
    let ca_key = KeyPair::from_pem(&ca_key)?;
    let ca = ca_params(release)?.self_signed(&ca_key)?;
    let mut names = vec![host.to_owned()];
    names.extend(host.split_once('.').map(|(short, _)| short.to_owned()));
    let mut params = CertificateParams::new(names)?;
    params.distinguished_name.push(DnType::CommonName, host);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    let key_pair = KeyPair::generate()?;
    let signed = params.signed_by(&key_pair, &ca, &ca_key)?;
    create_dir(to)?;
    write(&key, &key_pair.serialize_pem(), 0o600)?;
    write(&cert, &signed.pem(), 0o644)?;
    let mut written = vec![cert, key];
    let ca_copy = to.join(CA_CERT);
    if !ca_copy.exists() {
        let pem = std::fs::read_to_string(ca_dir.join(CA_CERT))
            .map_err(|source| CertsError::NoCa { path: ca_dir.join(CA_CERT), source })?;
        write(&ca_copy, &pem, 0o644)?;
        written.push(ca_copy);
    }
    Ok(written)
}

fn refuse_existing(paths: &[&PathBuf]) -> Result<(), CertsError> {
    match paths.iter().find(|p| p.exists()) {
        Some(path) => Err(CertsError::Exists(path.to_path_buf())),
        None => Ok(()),
    }
}

fn create_dir(dir: &Path) -> Result<(), CertsError> {
    std::fs::create_dir_all(dir).map_err(|source| CertsError::Write { path: dir.to_owned(), source })
}

/// Writes a new file with `mode` from its first byte (a key is never readable by others,
/// not even for a moment).
fn write(path: &Path, text: &str, mode: u32) -> Result<(), CertsError> {
    let failed = |source| CertsError::Write { path: path.to_owned(), source };
    let mut file = OpenOptions::new().write(true).create_new(true).mode(mode).open(path).map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Tls, TlsFile, TlsFiles};

    #[test]
    fn a_host_certificate_loads_as_a_tls_client_and_the_key_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), "shop").unwrap();
        host(dir.path(), dir.path(), "db1.example.com", "shop").unwrap();
        let mode = std::fs::metadata(dir.path().join(HOST_KEY)).unwrap().permissions();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600);
        let file = |name: &str| TlsFile { path: dir.path().join(name), var: String::new() };
        Tls::load(&TlsFiles { ca: file(CA_CERT), cert: file(HOST_CERT), key: file(HOST_KEY) }).unwrap();
        let again = init(dir.path(), "shop").unwrap_err().to_string();
        assert!(again.contains("ca.pem exists"), "{again}");
    }
}
