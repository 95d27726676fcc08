//! An application's rebar.config, as rebar3 and erlang.mk read it: the file's terms, then, if
//! a `rebar.config.script` stands beside it, whatever that script makes of them (`CONFIG`
//! bound to the terms, `SCRIPT` to its path). Scripts that ask whether rebar3 runs them
//! (`erlang:function_exported(rebar3, main, 1)`) are told no, as erlang.mk tells them.

use std::path::PathBuf;

use super::driver::Driver;
use super::layout::App;
use super::ErlcError;
use crate::term::{self, Term};

#[derive(Debug, Default)]
pub(crate) struct AppConfig {
    pub terms: Vec<Term>,
    /// The file named in errors about it.
    pub file: PathBuf,
    /// Whether the application has a rebar.config: rebar's conventions apply, else erlang.mk's.
    pub rebar: bool,
}

pub(crate) fn read(app: &App, driver: &mut Driver) -> Result<AppConfig, ErlcError> {
    let file = app.rebar_config();
    let script = app.dir.join("rebar.config.script");
    let terms = match file.is_file() {
        true => term::parse_file(&file)?,
        false => Vec::new(),
    };
    if !script.is_file() {
        return Ok(AppConfig { terms, rebar: file.is_file(), file });
    }
    let value = driver.script(&script, Term::List(terms))?;
    let Term::List(terms) = value else {
        return Err(ErlcError::config(&script, &format!("the script's value is not a list of terms: {value}")));
    };
    Ok(AppConfig { terms, file: script, rebar: true })
}
