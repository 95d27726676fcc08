//! `<name>-<vsn>.oci.tar`: the tree as an OCI image (an `oci-archive`: `oci-layout`,
//! `index.json` and `blobs/sha256/`), written without a daemon, the same bytes on every run
//! of one build. Its layers go from what changes least to what changes most, so that a new
//! version of the release changes only the top one:
//!
//! 1. the system: the shared libraries the tree's ELF files need, copied from the build
//!    host with their loader, `/etc/passwd` and `/etc/group` naming the service user, a
//!    `/tmp` and the log dir it may write;
//! 2. the runtime: ERTS and the applications that come from Erlang/OTP;
//! 3. the release: its own applications, `releases/` and `bin/`.
//!
//! The config runs `bin/<name> foreground` as the service user, the default node type as
//! its `Cmd`, with the pipe and log dirs in writable places; no shell is needed inside.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use oci_spec::image::{
    Arch, ConfigBuilder, Descriptor, DescriptorBuilder, HistoryBuilder, ImageConfigurationBuilder, ImageIndexBuilder,
    ImageManifestBuilder, MediaType, Os, RootFsBuilder, Sha256Digest, SCHEMA_VERSION,
};
use sha2::{Digest, Sha256};
use tar::EntryType;

use super::error::ShipError;
use super::tarball::{header, Contents};
use crate::assemble::Shipment;

/// The service user's uid and gid in the image.
pub const SERVICE_ID: u64 = 1000;
/// The EPMD port the image exposes.
const EPMD_PORT: u16 = 4369;

/// How to write the image.
#[derive(Debug, Clone)]
pub struct Image {
    /// The directory the archive is written to.
    pub out: PathBuf,
    /// The image's reference name in `index.json` (`oci-archive:<file>:<tag>`, and the name
    /// `podman load` gives it); default `<name>:<vsn>`.
    pub tag: Option<String>,
}

/// One layer: its gzipped archive, and the digest of the archive before gzip (its diff id).
struct Layer {
    gzipped: Vec<u8>,
    diff_id: String,
    what: String,
}

impl Image {
    /// Writes the image of `shipment`; returns the archive's path and the reference name.
    pub fn write(&self, shipment: &Shipment) -> Result<(PathBuf, String), ShipError> {
        if shipment.report.erts.is_none() {
            return Err(ShipError::NoErts { name: shipment.name.clone() });
        }
        let name = &shipment.name;
        let tag = self.tag.clone().unwrap_or_else(|| format!("{name}:{}", shipment.report.vsn));
        let contents = Contents::of(shipment, shipment.mtime)?;
        let opt = format!("opt/{name}/");
        let runtime = |path: &str| {
            path.starts_with("erts-") || path == "lib" || shipment.otp_apps.iter().any(|app| within(path, app))
        };
        let layers = [
            self.system(shipment, &contents)?,
            tree_layer(&contents, &opt, &runtime, "ERTS and Erlang/OTP's applications")?,
            tree_layer(&contents, &opt, &|path| !runtime(path) || path == "lib", "the release")?,
        ];
        let config = self.config(shipment, &layers)?;
        let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
        let mut layer_descriptors = Vec::new();
        for layer in &layers {
            layer_descriptors.push(descriptor(MediaType::ImageLayerGzip, &layer.gzipped)?);
            blobs.push((sha256(&layer.gzipped), layer.gzipped.clone()));
        }
        let config_descriptor = descriptor(MediaType::ImageConfig, &config)?;
        blobs.push((sha256(&config), config));
        let manifest = ImageManifestBuilder::default()
            .schema_version(SCHEMA_VERSION)
            .media_type(MediaType::ImageManifest)
            .config(config_descriptor)
            .layers(layer_descriptors)
            .build()
            .map_err(oci_error)?;
        let manifest = canonical_json(&manifest)?;
        let mut manifest_descriptor = descriptor(MediaType::ImageManifest, &manifest)?;
        blobs.push((sha256(&manifest), manifest));
        let annotation = [("org.opencontainers.image.ref.name".to_owned(), tag.clone())];
        manifest_descriptor.set_annotations(Some(annotation.into_iter().collect()));
        let index = ImageIndexBuilder::default()
            .schema_version(SCHEMA_VERSION)
            .media_type(MediaType::ImageIndex)
            .manifests(vec![manifest_descriptor])
            .build()
            .map_err(oci_error)?;
        let index = canonical_json(&index)?;
        let path = self.out.join(format!("{name}-{}.oci.tar", shipment.report.vsn));
        std::fs::create_dir_all(&self.out).map_err(ShipError::io("create", &self.out))?;
        super::write_atomically(&path, |file| {
            let failed = ShipError::io("write", &path);
            let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
            let layout = br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec();
            blobs.sort();
            blobs.dedup();
            let mut files = vec![("oci-layout".to_owned(), layout), ("index.json".to_owned(), index)];
            files.extend(blobs.into_iter().map(|(digest, bytes)| (format!("blobs/sha256/{digest}"), bytes)));
            let mut appended = Ok(());
            for dir in ["blobs/", "blobs/sha256/"] {
                appended = appended.and_then(|()| append_dir(&mut tar, dir, 0o755, 0, shipment.mtime));
            }
            for (path, bytes) in &files {
                appended = appended.and_then(|()| append_file(&mut tar, path, bytes, 0o644, 0, shipment.mtime));
            }
            appended.and_then(|()| tar.into_inner()?.flush()).map_err(failed)
        })?;
        Ok((path, tag))
    }

    /// The bottom layer: the libraries and loader, the service user, its writable dirs.
    fn system(&self, shipment: &Shipment, contents: &Contents) -> Result<Layer, ShipError> {
        let name = &shipment.name;
        let libraries = host_libraries(&contents.files().collect::<Vec<_>>())?;
        let mtime = shipment.mtime;
        let mut tar = tar::Builder::new(Vec::new());
        let failed = |e| ShipError::io("write", self.out.clone())(e);
        let mut dirs: BTreeSet<String> = ["etc/", "tmp/", "var/", "var/log/"].map(str::to_owned).into();
        for library in &libraries {
            let inner = library.to_string_lossy();
            dirs.extend(super::parents(inner.trim_start_matches('/')));
        }
        let log = format!("var/log/{name}/");
        dirs.insert(log.clone());
        for dir in &dirs {
            let (mode, owner) = match dir.as_str() {
                "tmp/" => (0o1777, 0),
                d if d == log => (0o750, SERVICE_ID),
                _ => (0o755, 0),
            };
            append_dir(&mut tar, dir, mode, owner, mtime).map_err(failed)?;
        }
        let id = SERVICE_ID;
        let passwd = format!(
            "root:x:0:0:root:/root:/sbin/nologin\n{name}:x:{id}:{id}:{name} release:/nonexistent:/sbin/nologin\n"
        );
        let group = format!("root:x:0:\n{name}:x:{id}:\n");
        let nsswitch = "passwd: files\ngroup: files\nhosts: files dns\n";
        for (path, text) in [("etc/group", group.as_str()), ("etc/nsswitch.conf", nsswitch), ("etc/passwd", &passwd)] {
            append_file(&mut tar, path, text.as_bytes(), 0o644, 0, mtime).map_err(failed)?;
        }
        for library in &libraries {
            // The file a symlink chain ends in, under the name the loader looks for.
            let bytes = std::fs::read(library).map_err(ShipError::io("read", library))?;
            let inner = library.to_string_lossy();
            append_file(&mut tar, inner.trim_start_matches('/'), &bytes, 0o755, 0, mtime).map_err(failed)?;
        }
        let what = format!("{} shared libraries and their loader, the user {name}", libraries.len());
        finish(tar.into_inner().map_err(failed)?, what)
    }

    /// The image's config blob.
    fn config(&self, shipment: &Shipment, layers: &[Layer]) -> Result<Vec<u8>, ShipError> {
        let name = &shipment.name;
        let vsn = &shipment.report.vsn;
        let created = super::rfc3339(shipment.mtime);
        let mut ports = vec![format!("{EPMD_PORT}/tcp")];
        if let Some((min, max)) = shipment.dist_ports {
            ports.extend((min..=max).map(|port| format!("{port}/tcp")));
        }
        let labels = [
            ("org.opencontainers.image.title", name.clone()),
            ("org.opencontainers.image.version", vsn.clone()),
            ("org.opencontainers.image.created", created.clone()),
            (
                "org.opencontainers.image.description",
                format!("Erlang/OTP release {name} {vsn}, node types {}", shipment.report.nodes.join(", ")),
            ),
        ];
        let config = ConfigBuilder::default()
            .user(name.clone())
            .entrypoint(vec![format!("/opt/{name}/bin/{name}"), "foreground".to_owned()])
            .cmd(vec![shipment.default_node.clone()])
            .env(vec![
                format!("PATH=/opt/{name}/bin"),
                format!("PIPE_DIR=/tmp/{name}/pipes"),
                format!("RUNNER_LOG_DIR=/var/log/{name}"),
            ])
            .exposed_ports(ports)
            .working_dir(format!("/var/log/{name}"))
            .labels(labels.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<std::collections::HashMap<_, _>>())
            .build()
            .map_err(oci_error)?;
        let history = layers
            .iter()
            .map(|layer| {
                HistoryBuilder::default()
                    .created(created.clone())
                    .created_by(format!("kazoo-release: {}", layer.what))
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(oci_error)?;
        let rootfs = RootFsBuilder::default()
            .typ("layers")
            .diff_ids(layers.iter().map(|l| format!("sha256:{}", l.diff_id)).collect::<Vec<_>>())
            .build()
            .map_err(oci_error)?;
        let image = ImageConfigurationBuilder::default()
            .created(created)
            .architecture(arch())
            .os(Os::Linux)
            .config(config)
            .rootfs(rootfs)
            .history(history)
            .build()
            .map_err(oci_error)?;
        canonical_json(&image)
    }
}

/// A layer of the tree's entries that `keep` takes, under `/opt/<name>/`.
fn tree_layer(contents: &Contents, opt: &str, keep: &dyn Fn(&str) -> bool, what: &str) -> Result<Layer, ShipError> {
    let mut tar = tar::Builder::new(Vec::new());
    let failed = |e| ShipError::io("write", opt.to_owned())(e);
    for dir in super::parents(opt) {
        append_dir(&mut tar, &dir, 0o755, 0, 0).map_err(failed)?;
    }
    contents.append(&mut tar, opt, keep)?;
    finish(tar.into_inner().map_err(failed)?, what.to_owned())
}

fn finish(tar: Vec<u8>, what: String) -> Result<Layer, ShipError> {
    let diff_id = sha256(&tar);
    let mut gz = GzBuilder::new().mtime(0).write(Vec::new(), Compression::fast());
    gz.write_all(&tar).map_err(ShipError::io("compress", "a layer"))?;
    let gzipped = gz.finish().map_err(ShipError::io("compress", "a layer"))?;
    Ok(Layer { gzipped, diff_id, what })
}

/// Whether `path` is `dir` or under it.
fn within(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// The libraries (and loaders) the ELF files among `files` need, and those they need in
/// turn, found where the loader looks on this host; by the path the loader will ask for.
fn host_libraries(files: &[PathBuf]) -> Result<BTreeSet<PathBuf>, ShipError> {
    let triple = format!("{}-linux-gnu", std::env::consts::ARCH);
    let search: Vec<String> = [format!("/lib/{triple}"), format!("/usr/lib/{triple}")]
        .into_iter()
        .chain(["/lib64", "/usr/lib64", "/lib", "/usr/lib"].map(str::to_owned))
        .collect();
    let mut found = BTreeSet::new();
    let mut work: Vec<PathBuf> = files.to_vec();
    let provided: BTreeSet<String> =
        files.iter().filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    while let Some(file) = work.pop() {
        let Some(needs) = super::elf::needs(&file)? else { continue };
        if let Some(loader) = needs.interpreter {
            let loader = PathBuf::from(loader);
            if found.insert(loader.clone()) {
                work.push(loader);
            }
        }
        for soname in needs.libraries.iter().filter(|s| !provided.contains(*s)) {
            let Some(path) = search.iter().map(|dir| Path::new(dir).join(soname)).find(|p| p.is_file()) else {
                return Err(ShipError::MissingLibrary { soname: soname.clone(), file, searched: search.clone() });
            };
            if found.insert(path.clone()) {
                work.push(path);
            }
        }
    }
    Ok(found)
}

fn append_dir<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    mode: u32,
    owner: u64,
    mtime: u64,
) -> std::io::Result<()> {
    let mut h = header(mtime);
    h.set_entry_type(EntryType::Directory);
    h.set_mode(mode);
    h.set_uid(owner);
    h.set_gid(owner);
    tar.append_data(&mut h, path, std::io::empty())
}

fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    bytes: &[u8],
    mode: u32,
    owner: u64,
    mtime: u64,
) -> std::io::Result<()> {
    let mut h = header(mtime);
    h.set_entry_type(EntryType::Regular);
    h.set_mode(mode);
    h.set_uid(owner);
    h.set_gid(owner);
    h.set_size(bytes.len() as u64);
    tar.append_data(&mut h, path, bytes)
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn descriptor(media_type: MediaType, blob: &[u8]) -> Result<Descriptor, ShipError> {
    let digest: Sha256Digest = sha256(blob).parse().map_err(oci_error)?;
    DescriptorBuilder::default()
        .media_type(media_type)
        .size(blob.len() as u64)
        .digest(digest)
        .build()
        .map_err(oci_error)
}

/// JSON with every object's keys sorted, whatever maps the value holds, so that the same
/// image is the same bytes (and so the same digest).
fn canonical_json(value: &impl serde::Serialize) -> Result<Vec<u8>, ShipError> {
    fn sorted(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<(String, serde_json::Value)> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    let value = serde_json::to_value(value).map_err(oci_error)?;
    serde_json::to_vec(&sorted(value)).map_err(oci_error)
}

fn arch() -> Arch {
    match std::env::consts::ARCH {
        "x86_64" => Arch::Amd64,
        "aarch64" => Arch::ARM64,
        other => Arch::Other(other.to_owned()),
    }
}

fn oci_error(error: impl std::fmt::Display) -> ShipError {
    ShipError::Image { detail: error.to_string() }
}
