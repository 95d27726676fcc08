//! Which Debian package provides a shared library, as dpkg-shlibdeps finds it: the shlibs
//! and symbols files the build host's installed packages declare (`/var/lib/dpkg/info`).
//! A shlibs line is `[type:] <library> <version> <dependency>` for the soname
//! `<library>.so.<version>` or `<library>-<version>.so` ([`split_soname`]); a symbols
//! file's header lines are
//! `<soname> <dependency> [#MINVER#]`. shlibs files win over symbols files, as for
//! dpkg-shlibdeps.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::ShipError;

/// Where dpkg keeps its packages' control files.
pub(crate) const DPKG_INFO: &str = "/var/lib/dpkg/info";

/// The libraries the host's packages declare, by (library, version), each with the
/// dependency that gives it.
#[derive(Debug, Default)]
pub(crate) struct Shlibs {
    by_library: BTreeMap<(String, String), String>,
}

impl Shlibs {
    /// Reads every `*.shlibs` and `*.symbols` file of `dir`, in name order.
    pub(crate) fn read(dir: &Path) -> Result<Shlibs, ShipError> {
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(ShipError::io("read directory", dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        let mut shlibs = Shlibs::default();
        for extension in ["shlibs", "symbols"] {
            for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == extension)) {
                let text = fs::read_to_string(file).map_err(ShipError::io("read", file))?;
                let lines = match extension {
                    "shlibs" => shlibs_lines(&text),
                    _ => symbols_lines(&text),
                };
                for (library, dependency) in lines {
                    shlibs.by_library.entry(library).or_insert(dependency);
                }
            }
        }
        Ok(shlibs)
    }

    /// The `Depends` entries for `needed` (soname → the file that needs it): sorted, each
    /// once.
    pub(crate) fn depends(&self, needed: &BTreeMap<String, PathBuf>, dir: &Path) -> Result<Vec<String>, ShipError> {
        let mut depends = Vec::new();
        for (soname, file) in needed {
            match split_soname(soname).and_then(|library| self.by_library.get(&library)) {
                Some(dependency) => depends.push(dependency.clone()),
                None => {
                    return Err(ShipError::UnknownLibrary {
                        soname: soname.clone(),
                        file: file.clone(),
                        dpkg_info: dir.to_owned(),
                    })
                }
            }
        }
        depends.sort();
        depends.dedup();
        Ok(depends)
    }
}

/// `libfoo.so.1` as (`libfoo`, `1`), `libfoo-1.2.so` as (`libfoo`, `1.2`), as dpkg reads
/// sonames.
fn split_soname(soname: &str) -> Option<(String, String)> {
    if let Some((library, version)) = soname.split_once(".so.") {
        return Some((library.to_owned(), version.to_owned()));
    }
    let stem = soname.strip_suffix(".so")?;
    let (library, version) = stem.rsplit_once('-')?;
    version.starts_with(|c: char| c.is_ascii_digit()).then(|| (library.to_owned(), version.to_owned()))
}

type Library = (String, String);

/// A shlibs file's (library, dependency) pairs; lines of a type (`udeb:`) are another
/// package type's.
fn shlibs_lines(text: &str) -> Vec<(Library, String)> {
    let mut pairs = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut words = line.splitn(3, char::is_whitespace);
        let (Some(library), Some(version), Some(dependency)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        if library.ends_with(':') {
            continue;
        }
        pairs.push(((library.to_owned(), version.to_owned()), dependency.trim().to_owned()));
    }
    pairs
}

/// A symbols file's header lines as (library, dependency) pairs, without `#MINVER#`.
fn symbols_lines(text: &str) -> Vec<(Library, String)> {
    let headers = text.lines().filter(|l| !l.starts_with([' ', '\t', '|', '*', '#']) && !l.trim().is_empty());
    headers
        .filter_map(|line| {
            let (soname, dependency) = line.split_once(char::is_whitespace)?;
            let dependency = dependency.replace("#MINVER#", "");
            Some((split_soname(soname)?, dependency.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(name: &str, version: &str) -> Library {
        (name.to_owned(), version.to_owned())
    }

    #[test]
    fn sonames_split_as_dpkg_splits_them() {
        assert_eq!(split_soname("libc.so.6"), Some(library("libc", "6")));
        assert_eq!(split_soname("libwx_baseu-3.2.so.0"), Some(library("libwx_baseu-3.2", "0")));
        assert_eq!(split_soname("libfoo-1.2.so"), Some(library("libfoo", "1.2")));
        assert_eq!(split_soname("libfoo.so"), None);
    }

    #[test]
    fn shlibs_lines_skip_other_package_types() {
        let text = "libc 6 libc6 (>= 2.36)\nudeb: libc 6 libc6-udeb (>= 2.36)\n";
        assert_eq!(shlibs_lines(text), [(library("libc", "6"), "libc6 (>= 2.36)".to_owned())]);
    }

    #[test]
    fn symbols_headers_lose_minver() {
        let text = "libstdc++.so.6 libstdc++6 #MINVER#\n* Build-Depends-Package: x\n _Znwm@GLIBCXX_3.4 4.1.1\n";
        assert_eq!(symbols_lines(text), [(library("libstdc++", "6"), "libstdc++6".to_owned())]);
    }
}
