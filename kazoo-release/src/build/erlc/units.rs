//! The build's modules, each with everything that decides its `.beam`: its options (lib
//! dir's, the application's rebar.config, the caller's; include dirs and `outdir` added), the
//! files it reads (its source and every header it includes, found as the compiler's
//! preprocessor finds them) and the modules it needs compiled first (parse transforms and
//! behaviours, from its options, its attributes and its headers', and rebar's
//! `erl_first_files`).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::config::AppConfig;
use super::layout::{App, Source};
use super::scan::{self, Attributes, Include};
use super::{options, ErlcError, Settings};
use crate::apps::OtpInstall;
use crate::term::Term;

#[derive(Debug)]
pub(crate) struct Unit {
    /// Its application's index in the build's list.
    pub app: usize,
    pub module: String,
    pub source: Source,
    pub options: Vec<Term>,
    /// The source first, then the headers it reads.
    pub inputs: Vec<PathBuf>,
    /// Modules of the build it needs compiled before it.
    pub needs: Vec<usize>,
}

#[derive(Debug, Default)]
pub(crate) struct Units {
    pub list: Vec<Unit>,
}

impl Units {
    /// The modules of the application at `app`, sorted.
    pub fn modules_of(&self, app: usize) -> Vec<String> {
        let mut modules: Vec<String> = self.list.iter().filter(|u| u.app == app).map(|u| u.module.clone()).collect();
        modules.sort();
        modules
    }
}

pub(crate) fn plan(
    apps: &[App],
    configs: &[AppConfig],
    settings: &Settings,
    arch: &str,
    otp: &OtpInstall,
) -> Result<Units, ErlcError> {
    let mut resolver = Resolver::new(apps, otp)?;
    let mut planned = Vec::new();
    for (index, (app, config)) in apps.iter().zip(configs).enumerate() {
        let app_options = app_options(app, config, settings, arch)?;
        let first_files: Vec<String> = options::config_values(&config.terms, "erl_first_files")
            .filter_map(Term::as_list)
            .flatten()
            .filter_map(|file| Some(Path::new(file.as_str()?).file_stem()?.to_string_lossy().into_owned()))
            .collect();
        for source in &app.sources {
            let mut options = app_options.clone();
            if source.file != source.home {
                // A patched copy: its includes are looked up where the original is.
                let home_dir = source.home.parent().unwrap_or(Path::new("/"));
                options.insert(0, options::include(home_dir));
            }
            let attributes = resolver.read(&source.file);
            let module = file_stem(&source.file);
            let include_path = include_path(&options);
            let (inputs, mut uses) = resolver.inputs(&source.file, &attributes, &include_path);
            uses.extend(options.iter().flat_map(scan::parse_transforms));
            if !first_files.contains(&module) {
                uses.extend(first_files.iter().cloned());
            }
            options.push(Term::tuple([Term::atom("outdir"), Term::charlist(app.ebin().to_string_lossy())]));
            planned.push((Unit { app: index, module, source: source.clone(), options, inputs, needs: vec![] }, uses));
        }
    }
    let mut by_module: HashMap<String, usize> = HashMap::new();
    for (index, (unit, _)) in planned.iter().enumerate() {
        if let Some(&other) = by_module.get(&unit.module) {
            let first = planned[other].0.source.home.clone();
            return Err(ErlcError::DuplicateModule {
                module: unit.module.clone(),
                first,
                second: unit.source.home.clone(),
            });
        }
        by_module.insert(unit.module.clone(), index);
    }
    let list = planned
        .into_iter()
        .enumerate()
        .map(|(index, (mut unit, uses))| {
            let needs: BTreeSet<usize> =
                uses.iter().filter_map(|m| by_module.get(m).copied()).filter(|&n| n != index).collect();
            unit.needs = needs.into_iter().collect();
            unit
        })
        .collect();
    Ok(Units { list })
}

/// Options that print the compiler's messages: the build returns them instead (erlc's form),
/// and the compiler VM's output is its replies.
const REPORTING: [&str; 4] = ["report", "report_errors", "report_warnings", "verbose"];

/// An application's options, in the order the compiler applies them: its include dirs, the
/// lib dir's flags, its rebar.config's `erl_opts`, the caller's for it; less the dropped ones.
fn app_options(app: &App, config: &AppConfig, settings: &Settings, arch: &str) -> Result<Vec<Term>, ErlcError> {
    let flags = |list: Option<&Vec<String>>| -> Result<Vec<Term>, ErlcError> {
        list.into_iter().flatten().map(|f| options::flag(f, &app.dir)).collect()
    };
    let dropped = flags(Some(&settings.dropped_flags))?;
    let own_dirs = app.include_dirs.iter().cloned().chain([app.dir.join("src"), app.dir.clone()]);
    let mut all: Vec<Term> = own_dirs.map(|dir| options::include(&dir)).collect();
    all.extend(flags(settings.lib_dir_flags.get(&app.lib_dir))?);
    all.extend(options::erl_opts(&config.terms, &app.dir, arch, &config.file)?);
    all.extend(flags(settings.app_flags.get(&app.name))?);
    all.retain(|option| !dropped.contains(option) && !REPORTING.contains(&option.as_atom().unwrap_or_default()));
    Ok(all)
}

/// The `{i, Dir}` options, in order.
fn include_path(options: &[Term]) -> Vec<PathBuf> {
    let dir = |option: &Term| match option.as_tuple()? {
        [key, dir] if key.as_atom() == Some("i") => Some(PathBuf::from(dir.as_str()?)),
        _ => None,
    };
    options.iter().filter_map(dir).collect()
}

/// Finds included files as `epp` does, reading each header once for the whole build.
struct Resolver<'a> {
    apps: HashMap<&'a str, &'a App>,
    /// OTP's applications, the highest version of each.
    otp_apps: HashMap<String, PathBuf>,
    read: HashMap<PathBuf, Attributes>,
}

impl<'a> Resolver<'a> {
    fn new(apps: &'a [App], otp: &OtpInstall) -> Result<Resolver<'a>, ErlcError> {
        Ok(Resolver {
            // The first lib dir's application of a name is the one the code path finds.
            apps: apps.iter().rev().map(|app| (app.name.as_str(), app)).collect(),
            otp_apps: super::layout::otp_apps(otp)?,
            read: HashMap::new(),
        })
    }

    fn read(&mut self, file: &Path) -> Attributes {
        let read = |file: &Path| std::fs::read(file).map(|text| scan::attributes(&text)).unwrap_or_default();
        self.read.entry(file.to_owned()).or_insert_with(|| read(file)).clone()
    }

    /// The source and every header it reads (transitively), and the parse transforms and
    /// behaviours they name. A header that is not found is left to the compiler to report.
    fn inputs(
        &mut self,
        source: &Path,
        attributes: &Attributes,
        include_path: &[PathBuf],
    ) -> (Vec<PathBuf>, Vec<String>) {
        let mut inputs = vec![source.to_owned()];
        let mut uses: Vec<String> = attributes.parse_transforms.iter().chain(&attributes.behaviours).cloned().collect();
        let mut pending: Vec<(PathBuf, Include)> =
            attributes.includes.iter().map(|include| (parent(source), include.clone())).collect();
        while let Some((dir, include)) = pending.pop() {
            let Some(header) = self.find(&dir, &include, include_path) else { continue };
            if inputs.contains(&header) {
                continue;
            }
            let found = self.read(&header);
            uses.extend(found.parse_transforms.iter().chain(&found.behaviours).cloned());
            pending.extend(found.includes.iter().map(|include| (parent(&header), include.clone())));
            inputs.push(header);
        }
        (inputs, uses)
    }

    fn find(&self, dir: &Path, include: &Include, include_path: &[PathBuf]) -> Option<PathBuf> {
        let (Include::Local(path) | Include::Lib(path)) = include;
        let local = std::iter::once(dir).chain(include_path.iter().map(PathBuf::as_path)).map(|d| d.join(path));
        if let Some(found) = local.into_iter().find(|p| p.is_file()) {
            return Some(found);
        }
        let Include::Lib(path) = include else { return None };
        let (app, rest) = path.split_once('/')?;
        let candidates: Vec<PathBuf> = match (self.apps.get(app), rest.strip_prefix("include/")) {
            (Some(app), Some(header)) => app.include_dirs.iter().map(|d| d.join(header)).collect(),
            (Some(app), None) => vec![app.dir.join(rest)],
            (None, _) => self.otp_apps.get(app).map(|d| d.join(rest)).into_iter().collect(),
        };
        candidates.into_iter().find(|p| p.is_file())
    }
}

fn parent(file: &Path) -> PathBuf {
    file.parent().unwrap_or(Path::new("/")).to_owned()
}

fn file_stem(path: &Path) -> String {
    path.file_stem().unwrap_or_default().to_string_lossy().into_owned()
}
