//! `<name>_<vsn>-<rev>_<arch>.deb`, written natively: an ar archive of `debian-binary`,
//! `control.tar.gz` and `data.tar.gz`, as dpkg-deb builds one, the same bytes on every run
//! of one build (the tree's sorted entries, one mtime, root's, gzip without names or times).
//!
//! What it installs:
//!
//! ```text
//! /opt/<name>/                          the tree, root's and read-only to the service
//! /lib/systemd/system/<name>@.service   the template unit `systemd-unit` prints for it
//! /usr/lib/sysusers.d/<name>.conf       the service user and group (made by the postinst)
//! /etc/<name>/...                       the operator's files the conventions give, conffiles
//! /var/log/<name>/                      the nodes' logs, the service user's
//! /usr/share/doc/<name>/                copyright, changelog.Debian.gz
//! /usr/share/lintian/overrides/<name>   why /opt: the tree is one self-contained directory
//! ```
//!
//! `Depends` are the Debian packages of the shared libraries the tree's ELF files need
//! (ERTS, NIFs, the binary), as the build host's dpkg database declares them
//! ([`super::shlibs`]). The maintainer scripts stop the release's units before a removal or
//! an upgrade, keep logs and /etc on remove and delete them on purge.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use md5::{Digest, Md5};
use tar::EntryType;

use super::error::ShipError;
use super::shlibs::{Shlibs, DPKG_INFO};
use super::tarball::{header, Contents};
use crate::assemble::Shipment;
pub use crate::conventions::OperatorFile;

/// The mtime of the package's files when `SOURCE_DATE_EPOCH` is unset (or earlier):
/// 2000-01-01, since dpkg and lintian take a file dated before 1975 for a broken clock.
pub const EARLIEST_MTIME: u64 = 946_684_800;

/// What the package is made of beside the tree.
#[derive(Debug, Clone)]
pub struct Deb {
    /// The directory the `.deb` is written to.
    pub out: PathBuf,
    /// The Debian revision (`1` in `4.3.0-1`).
    pub revision: String,
    /// `Name <email>`.
    pub maintainer: String,
    /// The systemd template unit for the tree in `/opt/<name>`, run as user and group
    /// `<name>`.
    pub unit: String,
    /// The operator's config dir (`/etc/<name>`) and the files the package puts there.
    pub config_dir: PathBuf,
    pub operator_files: Vec<OperatorFile>,
    /// Where the build host's packages declare their shared libraries (`/var/lib/dpkg/info`).
    pub dpkg_info: PathBuf,
}

impl Deb {
    /// A package for `out`, of revision 1, the libraries mapped through this host's dpkg.
    pub fn new(out: PathBuf, maintainer: String, unit: String, config_dir: PathBuf) -> Deb {
        Deb {
            out,
            revision: "1".to_owned(),
            maintainer,
            unit,
            config_dir,
            operator_files: Vec::new(),
            dpkg_info: PathBuf::from(DPKG_INFO),
        }
    }

    /// Writes the package of `shipment`; returns its path. Its files' mtime is the
    /// shipment's, but no earlier than [`EARLIEST_MTIME`].
    pub fn write(&self, shipment: &Shipment) -> Result<PathBuf, ShipError> {
        if shipment.report.erts.is_none() {
            return Err(ShipError::NoErts { name: shipment.name.clone() });
        }
        let package = package_name(&shipment.name)?;
        let version = format!("{}-{}", debian_version(&shipment.report.vsn)?, debian_revision(&self.revision)?);
        let arch = super::debian_arch();
        let contents = Contents::of(shipment, mtime(shipment))?;
        let files: Vec<PathBuf> = contents.files().collect();
        let needed = super::elf::needed_by(&files)?;
        let depends = Shlibs::read(&self.dpkg_info)?.depends(&needed, &self.dpkg_info)?;
        let extra = self.extra_files(shipment, &package, &version);
        let opt = format!("opt/{}/", shipment.name);
        let data = self.data(shipment, &contents, &opt, &extra)?;
        let control = self.control(shipment, &package, &version, &depends, &data)?;
        let path = self.out.join(format!("{package}_{version}_{arch}.deb"));
        std::fs::create_dir_all(&self.out).map_err(ShipError::io("create", &self.out))?;
        super::write_atomically(&path, |file| {
            let failed = ShipError::io("write", &path);
            let mut ar = ar::Builder::new(std::io::BufWriter::new(file));
            let members: [(&str, &[u8]); 3] =
                [("debian-binary", b"2.0\n"), ("control.tar.gz", &control), ("data.tar.gz", &data.archive)];
            let appended = members.iter().try_for_each(|(name, bytes)| {
                let mut member = ar::Header::new(name.as_bytes().to_vec(), bytes.len() as u64);
                member.set_mtime(mtime(shipment));
                member.set_mode(0o100644);
                ar.append(&member, *bytes)
            });
            appended.and_then(|()| ar.into_inner()?.flush()).map_err(failed)
        })?;
        Ok(path)
    }

    /// The files beside the tree, by their path in the package.
    fn extra_files(&self, shipment: &Shipment, package: &str, version: &str) -> Vec<(String, Vec<u8>, u32)> {
        let name = &shipment.name;
        let config = relative(&self.config_dir);
        let mut files: Vec<(String, Vec<u8>, u32)> = self
            .operator_files
            .iter()
            .map(|f| (format!("{config}/{}", f.path), f.text.clone().into_bytes(), 0o644))
            .collect();
        files.push((format!("lib/systemd/system/{name}@.service"), self.unit.clone().into_bytes(), 0o644));
        files.push((format!("usr/lib/sysusers.d/{name}.conf"), sysusers(name).into_bytes(), 0o644));
        files.push((format!("usr/share/doc/{package}/copyright"), copyright(name).into_bytes(), 0o644));
        let changelog = changelog(package, version, &self.maintainer, mtime(shipment));
        files.push((format!("usr/share/doc/{package}/changelog.Debian.gz"), gzip_best(changelog.as_bytes()), 0o644));
        let overrides = format!(
            "# The release is one self-contained tree (its runtime, its applications, its binary), as\n\
             # relx and mix lay it out, in the place the FHS gives add-on software.\n\
             {package}: dir-or-file-in-opt\n\
             # bin/{name} is the release's control program as cargo built it (set the profile's\n\
             # `strip = true` to ship it without its symbols).\n\
             {package}: unstripped-binary-or-object\n"
        );
        files.push((format!("usr/share/lintian/overrides/{package}"), overrides.into_bytes(), 0o644));
        files
    }

    /// `data.tar.gz`: the tree under `opt`, the files beside it, the log dir; with what the
    /// control archive says of it.
    fn data(
        &self,
        shipment: &Shipment,
        contents: &Contents,
        opt: &str,
        extra: &[(String, Vec<u8>, u32)],
    ) -> Result<Data, ShipError> {
        let log = format!("var/log/{}/", shipment.name);
        // `./` first, then every directory the files need, each once, sorted (a parent before its children).
        let mut dirs: Vec<String> =
            extra.iter().map(|(p, ..)| p.clone()).chain([opt.to_owned(), log.clone()]).collect();
        dirs = dirs.iter().flat_map(|p| super::parents(p)).chain([String::new()]).collect();
        dirs.sort();
        dirs.dedup();
        let mut tar = tar::Builder::new(Vec::new());
        let failed = |e| ShipError::io("write", self.out.clone())(e);
        let mut md5sums = String::new();
        let mut size = 0;
        for dir in &dirs {
            let mut h = header(mtime(shipment));
            h.set_entry_type(EntryType::Directory);
            h.set_mode(if *dir == log { 0o750 } else { 0o755 });
            tar.append_data(&mut h, format!("./{dir}"), std::io::empty()).map_err(failed)?;
            size += 1;
        }
        let under_opt = |path: &str| !path.is_empty();
        contents.append(&mut tar, &format!("./{opt}"), &under_opt)?;
        contents.read_each(&mut |path, bytes| {
            md5sums.push_str(&format!("{:x}  {opt}{path}\n", Md5::digest(bytes)));
            size += (bytes.len() as u64).div_ceil(1024).max(1);
        })?;
        for (path, bytes, mode) in extra {
            let mut h = header(mtime(shipment));
            h.set_entry_type(EntryType::Regular);
            h.set_mode(*mode);
            h.set_size(bytes.len() as u64);
            tar.append_data(&mut h, format!("./{path}"), bytes.as_slice()).map_err(failed)?;
            md5sums.push_str(&format!("{:x}  {path}\n", Md5::digest(bytes)));
            size += (bytes.len() as u64).div_ceil(1024).max(1);
        }
        let tar = tar.into_inner().map_err(failed)?;
        Ok(Data { archive: gzip_fast(&tar), md5sums, installed_kib: size })
    }

    /// `control.tar.gz`: control, conffiles, md5sums and the maintainer scripts.
    fn control(
        &self,
        shipment: &Shipment,
        package: &str,
        version: &str,
        depends: &[String],
        data: &Data,
    ) -> Result<Vec<u8>, ShipError> {
        let name = &shipment.name;
        let nodes = shipment.report.nodes.join(", ");
        let control = format!(
            "Package: {package}\n\
             Version: {version}\n\
             Architecture: {arch}\n\
             Maintainer: {maintainer}\n\
             Installed-Size: {size}\n\
             Depends: {depends}\n\
             Section: net\n\
             Priority: optional\n\
             Description: Erlang/OTP release {name} {vsn}, with its runtime\n \
             The Erlang/OTP release {name} as one tree in /opt/{name}: its\n \
             runtime (ERTS {erts}), its applications and its control program.\n \
             Node types: {nodes}; each runs as the unit {name}@<node type>.\n",
            arch = super::debian_arch(),
            maintainer = self.maintainer,
            size = data.installed_kib,
            depends = depends.join(", "),
            vsn = shipment.report.vsn,
            erts = shipment.report.erts.as_deref().unwrap_or_default(),
        );
        let config = relative(&self.config_dir);
        let conffiles: String = self.operator_files.iter().map(|f| format!("/{config}/{}\n", f.path)).collect();
        let scripts = Scripts { name, config_dir: &self.config_dir, files: &self.operator_files };
        let mut members: Vec<(&str, String, u32)> = vec![("control", control, 0o644)];
        if !conffiles.is_empty() {
            members.push(("conffiles", conffiles, 0o644));
        }
        members.push(("md5sums", data.md5sums.clone(), 0o644));
        members.push(("postinst", scripts.postinst(), 0o755));
        members.push(("postrm", scripts.postrm(), 0o755));
        members.push(("prerm", scripts.prerm(), 0o755));
        let mut tar = tar::Builder::new(Vec::new());
        let failed = |e| ShipError::io("write", self.out.clone())(e);
        let mut dir = header(mtime(shipment));
        dir.set_entry_type(EntryType::Directory);
        dir.set_mode(0o755);
        tar.append_data(&mut dir, "./", std::io::empty()).map_err(failed)?;
        for (member, text, mode) in members {
            let mut h = header(mtime(shipment));
            h.set_entry_type(EntryType::Regular);
            h.set_mode(mode);
            h.set_size(text.len() as u64);
            tar.append_data(&mut h, format!("./{member}"), text.as_bytes()).map_err(failed)?;
        }
        Ok(gzip_best(&tar.into_inner().map_err(failed)?))
    }
}

/// The data archive and what the control archive says of it.
struct Data {
    archive: Vec<u8>,
    md5sums: String,
    installed_kib: u64,
}

/// The maintainer scripts of release `name`.
struct Scripts<'a> {
    name: &'a str,
    config_dir: &'a Path,
    files: &'a [OperatorFile],
}

impl Scripts<'_> {
    /// Makes the service user and group (systemd-sysusers where systemd runs, else
    /// groupadd and useradd from the same declaration), gives it the log dir, and lets its
    /// group read the operator's files (they hold the cookie).
    fn postinst(&self) -> String {
        let name = self.name;
        let config = self.config_dir.display();
        let files: String = self
            .files
            .iter()
            .map(|f| {
                let file = format!("{config}/{}", f.path);
                // The operator may have removed it: a conffile left deleted stays so.
                format!("    if [ -e {file} ]; then chgrp {name} {file}; chmod 0640 {file}; fi\n")
            })
            .collect();
        format!(
            "#!/bin/sh\n\
             # {name}: the service user and group (usr/lib/sysusers.d/{name}.conf), its log dir,\n\
             # its group's read access to the operator's files in {config}.\n\
             set -e\n\
             if [ \"$1\" = configure ]; then\n    \
             if [ -d /run/systemd/system ] && command -v systemd-sysusers >/dev/null; then\n        \
             systemd-sysusers {name}.conf\n    \
             else\n        \
             getent group {name} >/dev/null || groupadd --system {name}\n        \
             getent passwd {name} >/dev/null || useradd --system --gid {name} --home-dir /nonexistent \\\n            \
             --no-create-home --shell /usr/sbin/nologin --comment \"{name} release\" {name}\n    \
             fi\n    \
             chown {name}:{name} /var/log/{name}\n    \
             chmod 0750 /var/log/{name}\n\
             {files}    \
             if [ -d /run/systemd/system ]; then\n        \
             systemctl daemon-reload >/dev/null || true\n    \
             fi\n\
             fi\n\
             exit 0\n"
        )
    }

    /// Stops every node of the release that systemd runs before its files go or change.
    fn prerm(&self) -> String {
        let name = self.name;
        format!(
            "#!/bin/sh\n\
             # {name}: its nodes stop before the tree they run from is removed or replaced.\n\
             set -e\n\
             case \"$1\" in\n\
             remove|upgrade|deconfigure)\n    \
             if [ -d /run/systemd/system ]; then\n        \
             systemctl stop '{name}@*.service' || true\n    \
             fi\n    \
             ;;\n\
             esac\n\
             exit 0\n"
        )
    }

    /// Keeps logs and the operator's files on remove; deletes them on purge.
    fn postrm(&self) -> String {
        let name = self.name;
        let config = self.config_dir.display();
        format!(
            "#!/bin/sh\n\
             # {name}: its logs and {config} stay when it is removed, and go when it is purged.\n\
             set -e\n\
             if [ \"$1\" = purge ]; then\n    \
             rm -rf /var/log/{name} {config}\n\
             fi\n\
             if [ \"$1\" = remove ] || [ \"$1\" = purge ]; then\n    \
             if [ -d /run/systemd/system ]; then\n        \
             systemctl daemon-reload >/dev/null || true\n    \
             fi\n\
             fi\n\
             exit 0\n"
        )
    }
}

/// Every file's and member's mtime.
fn mtime(shipment: &Shipment) -> u64 {
    shipment.mtime.max(EARLIEST_MTIME)
}

/// The service user and group of release `name`, as systemd-sysusers reads them.
fn sysusers(name: &str) -> String {
    format!(
        "# The user and group the nodes of {name} run as ({name}@.service): no login, no home.\n\
         u {name} - \"{name} release\" /nonexistent /usr/sbin/nologin\n"
    )
}

fn copyright(name: &str) -> String {
    format!(
        "The Erlang/OTP release {name}: its own applications, under their authors' terms, and\n\
         Erlang/OTP's runtime (ERTS) and applications, Copyright Ericsson AB, under the\n\
         Apache License 2.0 (/usr/share/common-licenses/Apache-2.0).\n"
    )
}

/// One entry: this build of the release, dated `mtime`.
fn changelog(package: &str, version: &str, maintainer: &str, mtime: u64) -> String {
    format!(
        "{package} ({version}) unstable; urgency=medium\n\n  \
         * The release as kazoo-release builds it.\n\n \
         -- {maintainer}  {}\n",
        rfc2822(mtime)
    )
}

/// `Thu, 01 Jan 1970 00:00:00 +0000` for seconds since the epoch (UTC).
fn rfc2822(secs: u64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let t = super::Utc::of(secs);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        t.weekday,
        t.day,
        MONTHS[t.month as usize - 1],
        t.year,
        t.hour,
        t.minute,
        t.second
    )
}

/// The Debian package name of release `name`: `_` as `-` (Debian's names have none).
fn package_name(name: &str) -> Result<String, ShipError> {
    let package = name.replace('_', "-");
    let valid = package.len() >= 2
        && package.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && package.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    match valid {
        true => Ok(package),
        false => Err(ShipError::BadValue {
            what: "the release name",
            value: name.to_owned(),
            why: "a Debian package name has two or more of a-z, 0-9, +, - and . (and `_`, taken as -), \
                  starting with a letter or digit"
                .to_owned(),
        }),
    }
}

fn debian_version(vsn: &str) -> Result<&str, ShipError> {
    let valid = vsn.starts_with(|c: char| c.is_ascii_digit())
        && vsn.chars().all(|c| c.is_ascii_alphanumeric() || ".+~-".contains(c));
    match valid {
        true => Ok(vsn),
        false => Err(ShipError::BadValue {
            what: "the release version",
            value: vsn.to_owned(),
            why: "a Debian upstream version starts with a digit and has only letters, digits and . + ~ -".to_owned(),
        }),
    }
}

fn debian_revision(revision: &str) -> Result<&str, ShipError> {
    let valid = !revision.is_empty() && revision.chars().all(|c| c.is_ascii_alphanumeric() || ".+~".contains(c));
    match valid {
        true => Ok(revision),
        false => Err(ShipError::BadValue {
            what: "--revision",
            value: revision.to_owned(),
            why: "a Debian revision has only letters, digits and . + ~".to_owned(),
        }),
    }
}

/// `/etc/kazoo` as `etc/kazoo`.
fn relative(path: &Path) -> String {
    path.display().to_string().trim_start_matches('/').trim_end_matches('/').to_owned()
}

/// gzip without a name or a time, for the data: fast, as for the tarball.
fn gzip_fast(bytes: &[u8]) -> Vec<u8> {
    gzip(bytes, Compression::fast())
}

/// gzip `-9n`, for the small files (as dh_installchangelogs compresses).
fn gzip_best(bytes: &[u8]) -> Vec<u8> {
    gzip(bytes, Compression::best())
}

fn gzip(bytes: &[u8], level: Compression) -> Vec<u8> {
    let mut gz = GzBuilder::new().mtime(0).write(Vec::new(), level);
    // Writing into memory cannot fail.
    let _ = gz.write_all(bytes);
    gz.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc2822() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc2822(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 +0000");
        assert_eq!(rfc2822(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }

    #[test]
    fn names_and_versions_follow_debian_policy() {
        assert_eq!(package_name("kazoo_apps").unwrap(), "kazoo-apps");
        assert!(package_name("Kazoo").is_err());
        assert!(debian_version("4.3.0").is_ok() && debian_version("v4").is_err());
        assert!(debian_revision("1").is_ok() && debian_revision("1-2").is_err());
    }
}
