//! One application's `.app` file as the boot script uses it: read again from disk, since
//! the script carries the whole file (description, env, mod, ...) and not only what
//! dependency resolution needed.

use std::path::{Path, PathBuf};

use crate::apps::ResolvedApp;
use crate::spec::StartType;
use crate::term::{self, Term};

use super::error::BootError;

/// What the boot script needs of one application.
pub(super) struct AppResource {
    pub name: String,
    pub vsn: String,
    pub start_type: StartType,
    /// As the `.app` file lists them.
    pub modules: Vec<String>,
    pub included: Vec<String>,
    /// `{application, Name, Props}` as `systools_make:pack_app/1` writes it: every key
    /// present, systools' defaults filled in, in systools' order.
    pub packed: Term,
}

/// Reads `app`'s `.app` file. `release_order` is the `.rel` file's order of applications,
/// by which systools sorts each application's `applications` and `included_applications`
/// (`systools_make:sort_used_and_incl_appls/2`), so the script lists them the same way.
pub(super) fn read(app: &ResolvedApp, release_order: &[&str]) -> Result<AppResource, BootError> {
    let file = app.dir.join("ebin").join(format!("{}.app", app.name));
    let props = read_props(app, &file)?;
    let reader = Reader { app: &app.name, file: &file, props: &props };
    let vsn = reader.string("vsn")?;
    if vsn != app.vsn {
        return Err(
            reader.bad(format!("its version is now {vsn}, not the {} it had when the node type was resolved", app.vsn))
        );
    }
    let modules = reader.atoms("modules")?;
    let included = reader.optional_atoms("included_applications")?;
    let packed = pack(&reader, release_order)?;
    Ok(AppResource { name: app.name.clone(), vsn, start_type: app.start_type, modules, included, packed })
}

/// The property list of the file's one `{application, Name, Props}` term.
fn read_props(app: &ResolvedApp, file: &Path) -> Result<Term, BootError> {
    let terms = term::parse_file(file).map_err(|parse| BootError::MalformedAppFile { app: app.name.clone(), parse })?;
    let bad = |problem: &str| BootError::BadAppFile {
        app: app.name.clone(),
        file: file.to_path_buf(),
        problem: problem.to_owned(),
    };
    let [Term::Tuple(items)] = terms.as_slice() else {
        return Err(bad("it must hold exactly one term, an `application` tuple"));
    };
    match items.as_slice() {
        [tag, name, props] if tag.as_atom() == Some("application") => {
            if name.as_atom() != Some(&app.name) {
                return Err(bad(&format!("it names application `{name}`")));
            }
            match props.as_list() {
                Some(_) => Ok(props.clone()),
                None => Err(bad("its properties are not a list")),
            }
        }
        _ => Err(bad("its term is not {application, Name, Properties}")),
    }
}

/// `pack_app/1`'s `{application, Name, Props}`, with `parse_application/4`'s defaults.
fn pack(reader: &Reader, release_order: &[&str]) -> Result<Term, BootError> {
    let atoms = |names: Vec<String>| Term::list(names.into_iter().map(Term::Atom));
    let applications = in_release_order(reader.atoms("applications")?, release_order);
    let included = in_release_order(reader.optional_atoms("included_applications")?, release_order);
    let mut props = vec![
        ("description", reader.required("description")?.clone()),
        ("vsn", reader.required("vsn")?.clone()),
        ("id", reader.or("id", Term::list([]))),
        ("modules", atoms(reader.atoms("modules")?)),
        ("registered", atoms(reader.atoms("registered")?)),
        ("applications", atoms(applications)),
        ("optional_applications", atoms(reader.optional_atoms("optional_applications")?)),
        ("included_applications", atoms(included)),
        ("env", reader.or("env", Term::list([]))),
        ("maxT", reader.or("maxT", Term::atom("infinity"))),
        ("maxP", reader.or("maxP", Term::atom("infinity"))),
    ];
    // systools leaves these two out when they hold their defaults (`behave/1`).
    if let Some(phases) = reader.props.proplist_get("start_phases") {
        if phases.as_atom() != Some("undefined") {
            props.push(("start_phases", phases.clone()));
        }
    }
    if let Some(module) = reader.props.proplist_get("mod") {
        if !matches!(module.as_list(), Some([])) {
            props.push(("mod", module.clone()));
        }
    }
    let props = props.into_iter().map(|(key, value)| Term::tuple([Term::atom(key), value]));
    Ok(Term::tuple([Term::atom("application"), Term::atom(reader.app), Term::list(props)]))
}

/// `names` ordered as the release lists them, those it does not list last (a stable sort,
/// as `sort_appl_list/2`'s `keysort` puts `{optional, Name}` after every position).
fn in_release_order(mut names: Vec<String>, release_order: &[&str]) -> Vec<String> {
    // systools sorts only lists of two or more; a sort of fewer changes nothing anyway.
    names.sort_by_key(|name| release_order.iter().position(|r| r == name).unwrap_or(usize::MAX));
    names
}

/// Typed access to an `.app` file's properties, with errors naming the file.
struct Reader<'a> {
    app: &'a str,
    file: &'a Path,
    props: &'a Term,
}

impl Reader<'_> {
    fn bad(&self, problem: String) -> BootError {
        BootError::BadAppFile { app: self.app.to_owned(), file: PathBuf::from(self.file), problem }
    }

    fn required(&self, key: &str) -> Result<&Term, BootError> {
        self.props.proplist_get(key).ok_or_else(|| self.bad(format!("it has no `{key}`")))
    }

    fn or(&self, key: &str, default: Term) -> Term {
        self.props.proplist_get(key).cloned().unwrap_or(default)
    }

    fn string(&self, key: &str) -> Result<String, BootError> {
        match self.required(key)? {
            Term::Charlist(text) => Ok(text.clone()),
            other => Err(self.bad(format!("its `{key}` is {other}, not a string"))),
        }
    }

    fn atoms(&self, key: &str) -> Result<Vec<String>, BootError> {
        self.atom_list(key, self.required(key)?)
    }

    fn optional_atoms(&self, key: &str) -> Result<Vec<String>, BootError> {
        match self.props.proplist_get(key) {
            Some(value) => self.atom_list(key, value),
            None => Ok(Vec::new()),
        }
    }

    fn atom_list(&self, key: &str, value: &Term) -> Result<Vec<String>, BootError> {
        let not_atoms = || self.bad(format!("its `{key}` is {value}, not a list of atoms"));
        let items = value.as_list().ok_or_else(not_atoms)?;
        items.iter().map(|item| item.as_atom().map(str::to_owned).ok_or_else(not_atoms)).collect()
    }
}
