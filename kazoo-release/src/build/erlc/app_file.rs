//! `ebin/<app>.app` from the application's template (`.app.src`, the value of its
//! `.app.src.script`, or a committed `ebin/<app>.app`) with `{modules, [...]}` set to what
//! the build compiled for it, generated modules included.
//!
//! `registered` and `description`, which systools requires, default to `[]` and `""` as
//! rebar3 fills them in. The version must be a string: `{vsn, git}` (and rebar3's other version-control words)
//! asks for a checkout's history that a source copy has not; [`super::Build::app_vsn`] gives
//! the version, else the build fails naming the file.

use std::path::Path;

use super::driver::Driver;
use super::layout::{App, Template};
use super::{ErlcError, Settings};
use crate::term::{self, Term};

pub(crate) fn write(app: &App, modules: &[String], settings: &Settings, driver: &mut Driver) -> Result<(), ErlcError> {
    let (file, terms) = template_terms(&app.template, driver)?;
    let bad = |message: String| ErlcError::AppSrc { path: file.to_owned(), message };
    let shape = || bad(format!("expected {{application, {}, [...]}}", app.name));
    let mut terms = terms;
    let Some(Term::Tuple(application)) = terms.first_mut() else { return Err(shape()) };
    if application.get(1).and_then(Term::as_atom) != Some(&app.name) {
        return Err(shape());
    }
    let Some(properties) = application.get_mut(2) else { return Err(shape()) };
    let mut properties: Vec<Term> = properties.as_list().ok_or_else(shape)?.to_vec();
    properties.retain(|p| !matches!(key(p), Some("modules")));
    match (settings.app_vsns.get(&app.name), properties.iter_mut().find(|p| key(p) == Some("vsn"))) {
        (Some(vsn), Some(entry)) => *entry = pair("vsn", Term::charlist(vsn)),
        (Some(vsn), None) => properties.push(pair("vsn", Term::charlist(vsn))),
        (None, Some(entry)) if vsn_is_text(entry) => {}
        (None, found) => {
            let found = found.and_then(|p| p.as_tuple()?.get(1).cloned()).map_or("none".into(), |v| v.to_string());
            return Err(bad(format!(
                "the version is {found}, not a string; give it with Build::app_vsn({:?}, \"...\")",
                app.name
            )));
        }
    }
    properties.push(pair("modules", Term::list(modules.iter().map(Term::atom))));
    // systools (and so a boot script) needs these; rebar3 fills them in when an .app.src
    // leaves them out (deps/meta has no `registered`).
    for (required, default) in [("registered", Term::list([])), ("description", Term::charlist(""))] {
        if !properties.iter().any(|p| key(p) == Some(required)) {
            properties.push(pair(required, default));
        }
    }
    application[2] = Term::List(properties);
    let out = app.ebin().join(format!("{}.app", app.name));
    super::write_if_changed(&out, term::to_file_string(&terms[..1]).as_bytes())
}

/// The template's file (for errors) and its terms.
fn template_terms<'a>(template: &'a Template, driver: &mut Driver) -> Result<(&'a Path, Vec<Term>), ErlcError> {
    match template {
        Template::AppSrc(file) | Template::Committed(file) => Ok((file, term::parse_file(file)?)),
        Template::Script { script, app_src } => {
            let config = match app_src {
                Some(file) => term::parse_file(file)?,
                None => Vec::new(),
            };
            match driver.script(script, Term::List(config))? {
                Term::List(terms) => Ok((script, terms)),
                other => Err(ErlcError::AppSrc {
                    path: script.clone(),
                    message: format!("the script's value is not a list of terms: {other}"),
                }),
            }
        }
    }
}

fn key(property: &Term) -> Option<&str> {
    property.as_tuple()?.first()?.as_atom()
}

fn pair(key: &str, value: Term) -> Term {
    Term::tuple([Term::atom(key), value])
}

fn vsn_is_text(entry: &Term) -> bool {
    entry.as_tuple().and_then(|t| t.get(1)).is_some_and(|v| matches!(v, Term::Charlist(_)))
}
