//! Reads one attribute value (the `Expr` after `key =`) as the type its key expects. A value
//! of the wrong type is an error on that value, naming the key and showing what fits.

use proc_macro2::Ident;
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::token::Comma;
use syn::{Expr, ExprLit, ExprUnary, Lit, Path, UnOp};

use crate::ast::{App, LibDir, Name};
use crate::errors::{Errors, Located};

/// Sees through the invisible group a `macro_rules!` caller may wrap a value in.
fn plain(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(group) => plain(&group.expr),
        other => other,
    }
}

fn lit(expr: &Expr) -> Option<&Lit> {
    match plain(expr) {
        Expr::Lit(ExprLit { lit, .. }) => Some(lit),
        _ => None,
    }
}

/// An identifier (`kazoo`, `r#try` as `try`) or a string (`"kazoo"`); check.rs decides
/// whether it is a valid atom.
pub fn name(expr: &Expr, key: &Ident) -> syn::Result<Name> {
    match plain(expr) {
        Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
            let ident = p.path.get_ident().map(IdentExt::unraw);
            Ok(Located::new(ident.map(|i| i.to_string()).unwrap_or_default(), expr))
        }
        // `kazoo-apps` reads as a subtraction; say what Erlang would make of it.
        Expr::Binary(binary) if matches!(binary.op, syn::BinOp::Sub(_)) => {
            let text: String = quote::quote!(#expr).to_string().split_whitespace().collect();
            let problem = crate::erlang::atom_problem(&text).unwrap_or_default();
            Err(syn::Error::new_spanned(expr, problem))
        }
        _ => match lit(expr) {
            Some(Lit::Str(s)) => Ok(Located::new(s.value(), s)),
            _ => Err(syn::Error::new_spanned(
                expr,
                format!("`{key}` takes a name: an identifier such as `kazoo` or a string such as \"kazoo\""),
            )),
        },
    }
}

/// A string literal; `example` completes "e.g. `key = ...`".
pub fn string(expr: &Expr, key: &Ident, example: &str) -> syn::Result<Located<String>> {
    match lit(expr) {
        Some(Lit::Str(s)) => Ok(Located::new(s.value(), s)),
        _ => Err(syn::Error::new_spanned(expr, format!("`{key}` takes a string literal, e.g. `{key} = {example}`"))),
    }
}

pub fn boolean(expr: &Expr, key: &Ident) -> syn::Result<bool> {
    match lit(expr) {
        Some(Lit::Bool(b)) => Ok(b.value),
        _ => Err(syn::Error::new_spanned(expr, format!("`{key}` takes `true` or `false`"))),
    }
}

/// An integer literal, negative ones included, so that check.rs reports a range error
/// rather than a type error for `-1`.
pub fn integer(expr: &Expr, key: &Ident, example: &str) -> syn::Result<Located<i128>> {
    let (negative, inner) = match plain(expr) {
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr: inner, .. }) => (true, &**inner),
        other => (false, other),
    };
    match lit(inner) {
        Some(Lit::Int(int)) => {
            let value: i128 = int.base10_parse()?;
            Ok(Located::new(if negative { -value } else { value }, expr))
        }
        _ => Err(syn::Error::new_spanned(expr, format!("`{key}` takes an integer literal, e.g. `{key} = {example}`"))),
    }
}

/// The path of a function (`kazoo_sys_config`, `crate::config::dev`), bare or in a string.
pub fn path(expr: &Expr, key: &Ident) -> syn::Result<Path> {
    match plain(expr) {
        Expr::Path(p) if p.qself.is_none() => return Ok(p.path.clone()),
        _ => {}
    }
    match lit(expr) {
        Some(Lit::Str(s)) => s.parse(),
        _ => Err(syn::Error::new_spanned(
            expr,
            format!("`{key}` takes the path of a function, e.g. `{key} = kazoo_sys_config`"),
        )),
    }
}

/// The path of the runtime crate (`kr`, `::kr`, `crate::kr`), bare or in a string.
pub fn crate_path(expr: &Expr, key: &Ident) -> syn::Result<Path> {
    let bad = || {
        syn::Error::new_spanned(
            expr,
            format!(
                "`{key}` takes the path of the kazoo-release crate as your Cargo.toml names the \
                 dependency, e.g. `{key} = kr` for `kr = {{ package = \"kazoo-release\", ... }}`"
            ),
        )
    };
    match plain(expr) {
        Expr::Path(p) if p.qself.is_none() => Ok(p.path.clone()),
        _ => match lit(expr) {
            Some(Lit::Str(s)) => s.parse().map_err(|_| bad()),
            _ => Err(bad()),
        },
    }
}

/// The elements of `[a, b, c]`.
pub fn list<'a>(expr: &'a Expr, key: &Ident, example: &str) -> syn::Result<&'a Punctuated<Expr, Comma>> {
    match plain(expr) {
        Expr::Array(array) => Ok(&array.elems),
        _ => Err(syn::Error::new_spanned(expr, format!("`{key}` takes a list in brackets, e.g. `{key} = {example}`"))),
    }
}

/// One lib dir: `"deps"`, or `optional("deps")` for a directory that may not exist.
pub fn lib_dir(expr: &Expr, key: &Ident) -> syn::Result<LibDir> {
    let string = |expr: &Expr| match lit(expr) {
        Some(Lit::Str(s)) => Some(Located::new(s.value(), s)),
        _ => None,
    };
    let dir = match plain(expr) {
        Expr::Call(call) => {
            let optional = matches!(plain(&call.func), Expr::Path(p) if p.path.is_ident(crate::sym::OPTIONAL));
            let [path] = call.args.iter().collect::<Vec<_>>()[..] else { return Err(not_a_dir(expr, key)) };
            string(path).filter(|_| optional).map(|path| LibDir { path, optional })
        }
        _ => string(expr).map(|path| LibDir { path, optional: false }),
    };
    dir.ok_or_else(|| not_a_dir(expr, key))
}

fn not_a_dir(expr: &Expr, key: &Ident) -> syn::Error {
    syn::Error::new_spanned(
        expr,
        format!(
            "`{key}` takes directories: a string literal, or `optional(\"...\")` for one that may not exist, \
             e.g. `{key} = [\"applications\", optional(\"deps\")]`"
        ),
    )
}

/// One application entry: a name, or the call form `name(start_type, "version")` with either
/// argument optional and in any order.
pub fn app(expr: &Expr, key: &Ident, errs: &mut Errors) -> Option<App> {
    let Expr::Call(call) = plain(expr) else {
        let name = errs.ok(name(expr, key))?;
        return Some(App { name, version: None, start_type: None });
    };
    let name = errs.ok(name(&call.func, key));
    let mut app = App { name: name?, version: None, start_type: None };
    for arg in &call.args {
        app_arg(&mut app, arg, errs);
    }
    Some(app)
}

fn app_arg(app: &mut App, arg: &Expr, errs: &mut Errors) {
    let (slot, what, value) = match (plain(arg), lit(arg)) {
        (Expr::Path(p), _) if p.path.get_ident().is_some() => {
            let ident = p.path.get_ident().map(|i| i.unraw().to_string());
            (&mut app.start_type, "start type", Located::new(ident.unwrap_or_default(), arg))
        }
        (_, Some(Lit::Str(s))) => (&mut app.version, "version", Located::new(s.value(), s)),
        _ => {
            return errs.at(
                arg,
                format!(
                    "expected a start type (permanent, transient, temporary, load, none) or a \
                     version string, e.g. `{}(load, \"1.0.0\")`",
                    app.name.value
                ),
            )
        }
    };
    if slot.is_some() {
        return errs.at(arg, format!("`{}` is given a {what} twice", app.name.value));
    }
    *slot = Some(value);
}
