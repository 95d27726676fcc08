//! Parses the derive's attributes into `ast::Input`. Each attribute's arguments are read as
//! `key = value` / `key(...)` items (syn's `Meta`); a bad key or a value of the wrong type is
//! recorded and parsing goes on, so every mistake of the input is reported at once.

use proc_macro2::{Ident, Span, TokenTree};
use syn::punctuated::Punctuated;
use syn::token::Comma;
use syn::{Attribute, Data, DeriveInput, Expr, Meta};

use crate::ast::{App, Hook, HookAction, Input, Node, Overlay, Profile, Release, VmArgs};
use crate::errors::{first_at, Errors, Located};
use crate::sym::*;
use crate::value;

type Items = Punctuated<Meta, Comma>;

pub fn parse(input: &DeriveInput, errs: &mut Errors) -> Input {
    if let Data::Enum(e) = &input.data {
        errs.at(e.enum_token, "`#[derive(Release)]` goes on a struct, e.g. `pub struct Kazoo;`");
    } else if let Data::Union(u) = &input.data {
        errs.at(u.union_token, "`#[derive(Release)]` goes on a struct, e.g. `pub struct Kazoo;`");
    }
    let mut parsed = Input {
        ident: input.ident.clone(),
        generics: input.generics.clone(),
        release: Release::new(input.ident.span()),
        nodes: Vec::new(),
        vm_args: VmArgs::default(),
        overlays: Vec::new(),
        profiles: Vec::new(),
        hooks: Vec::new(),
    };
    // `#[release]` and `#[vm_args]` may be split over several attributes: their keys merge,
    // and a key repeated across them is still a repeat.
    let (mut release_keys, mut vm_args_keys, mut hook_keys) = (Seen::default(), Seen::default(), Seen::default());
    let mut first_release = true;
    for attr in &input.attrs {
        let Some(kind) = attr.path().get_ident() else {
            continue;
        };
        let is = |name: &str| kind == name;
        if !(is(RELEASE) || is(NODE) || is(VM_ARGS) || is(OVERLAY) || is(PROFILE) || is(HOOK)) {
            continue;
        }
        let Some(items) = items(attr, errs) else {
            // Its error is said; what it held is unknown, so nothing of it is "missing".
            if is(NODE) {
                parsed.nodes.push(Node::unreadable(kind.span()));
            } else if is(RELEASE) {
                parsed.release.given.extend([NAME.to_owned()]);
            } else if is(PROFILE) {
                parsed.profiles.push(Profile::unreadable(kind.span()));
            }
            continue;
        };
        if is(RELEASE) {
            if std::mem::take(&mut first_release) {
                parsed.release.span = kind.span();
            }
            release(&items, &mut parsed.release, &mut release_keys, errs);
            parsed.release.given.extend(release_keys.names());
        } else if is(NODE) {
            parsed.nodes.push(node(&items, kind.span(), errs));
        } else if is(VM_ARGS) {
            vm_args(&items, "#[vm_args(...)]", &mut parsed.vm_args, &mut vm_args_keys, errs);
        } else if is(OVERLAY) {
            parsed.overlays.extend(overlays(&items, errs));
        } else if is(HOOK) {
            parsed.hooks.extend(hooks(&items, &mut hook_keys, errs));
        } else {
            parsed.profiles.push(profile(&items, kind.span(), errs));
        }
    }
    parsed
}

impl Release {
    fn new(span: Span) -> Self {
        Release {
            given: Vec::new(),
            span,
            name: None,
            version: None,
            default_node: None,
            lib_dirs: Vec::new(),
            base_apps: Vec::new(),
            include_erts: None,
            include_src: None,
            dev_mode: None,
            strip_beams: None,
            load_lib_dirs: None,
            xref: None,
            xref_ignore: Vec::new(),
            dist: None,
            dist_port: None,
            sys_config: None,
            krate: None,
        }
    }
}

/// The `crate = path` of the `#[release]` attributes, read leniently (any mistake is
/// [`parse`]'s to report): the stub of an input with errors needs it too, so that a renamed
/// dependency does not add an error of its own.
pub fn crate_path(input: &DeriveInput) -> Option<syn::Path> {
    let releases = input.attrs.iter().filter(|a| a.path().is_ident(RELEASE));
    let items = releases.filter_map(|a| a.parse_args_with(Items::parse_terminated).ok());
    items.flatten().find_map(|meta| match meta {
        Meta::NameValue(nv) if nv.path.is_ident(CRATE) => value::crate_path(&nv.value, nv.path.get_ident()?).ok(),
        _ => None,
    })
}

fn items(attr: &Attribute, errs: &mut Errors) -> Option<Items> {
    match attr.parse_args_with(Items::parse_terminated) {
        Ok(items) => Some(items),
        Err(error) => {
            errs.push(at_sign(attr).unwrap_or(error));
            None
        }
    }
}

/// `name = kazoo@apps` does not parse (`@` is no Rust operator): the error on that name that
/// its quoted form `"kazoo@apps"` gets, rather than syn's "expected `,`".
fn at_sign(attr: &Attribute) -> Option<syn::Error> {
    let Meta::List(list) = &attr.meta else {
        return None;
    };
    let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
    tokens.windows(3).find_map(|window| match window {
        [TokenTree::Ident(before), TokenTree::Punct(at), TokenTree::Ident(after)] if at.as_char() == '@' => {
            let problem = crate::erlang::name_problem(&format!("{before}@{after}"))?;
            Some(syn::Error::new_spanned(quote::quote!(#before #at #after), problem))
        }
        _ => None,
    })
}

fn release(items: &Items, release: &mut Release, seen: &mut Seen, errs: &mut Errors) {
    for meta in items {
        let Some(key) = key(meta, RELEASE_KEYS, "#[release(...)]", seen, errs) else {
            continue;
        };
        let k = key.to_string();
        match k.as_str() {
            NAME => release.name = setting(meta, errs, |v| value::name(v, key)),
            VERSION => release.version = setting(meta, errs, |v| value::string(v, key, "\"4.3.0\"")),
            DEFAULT_NODE => release.default_node = setting(meta, errs, |v| value::name(v, key)),
            LIB_DIRS => {
                let example = "[\"applications\", optional(\"deps\")]";
                release.lib_dirs = list(meta, example, errs, |v, errs| errs.ok(value::lib_dir(v, key)));
            }
            BASE_APPS => release.base_apps = apps(meta, errs),
            INCLUDE_ERTS => release.include_erts = setting(meta, errs, |v| value::boolean(v, key)),
            INCLUDE_SRC => release.include_src = setting(meta, errs, |v| value::boolean(v, key)),
            DEV_MODE => release.dev_mode = setting(meta, errs, |v| value::boolean(v, key)),
            STRIP_BEAMS => release.strip_beams = setting(meta, errs, |v| value::boolean(v, key)),
            LOAD_LIB_DIRS => release.load_lib_dirs = setting(meta, errs, |v| value::boolean(v, key)),
            XREF => release.xref = setting(meta, errs, |v| value::name(v, key)),
            XREF_IGNORE => {
                let example = "[\"crypto:hmac/3\", \"pg2\"]";
                release.xref_ignore = list(meta, example, errs, |v, errs| errs.ok(value::string(v, key, "\"pg2\"")));
            }
            DIST => release.dist = setting(meta, errs, |v| value::name(v, key)),
            DIST_PORT => release.dist_port = setting(meta, errs, |v| value::integer(v, key, "4370")),
            CRATE => release.krate = setting(meta, errs, |v| value::crate_path(v, key)),
            _ => release.sys_config = setting(meta, errs, |v| value::path(v, key)),
        }
    }
}

impl Node {
    /// A `#[node(...)]` that did not parse: a node type all the same, its keys all given.
    fn unreadable(span: Span) -> Node {
        Node { span, given: vec![NAME.to_owned(), APPS.to_owned()], name: None, apps: None }
    }
}

impl Profile {
    fn new(span: Span) -> Profile {
        Profile {
            span,
            given: Vec::new(),
            name: None,
            include_erts: None,
            dev_mode: None,
            strip_beams: None,
            xref: None,
            dist: None,
            dist_port: None,
            sys_config: None,
            vm_args: None,
        }
    }

    /// A `#[profile(...)]` that did not parse, its keys all given.
    fn unreadable(span: Span) -> Profile {
        Profile { given: vec![NAME.to_owned()], ..Profile::new(span) }
    }
}

fn node(items: &Items, span: Span, errs: &mut Errors) -> Node {
    let mut node = Node { span, given: Vec::new(), name: None, apps: None };
    let mut seen = Seen::default();
    for meta in items {
        let Some(key) = key(meta, NODE_KEYS, "#[node(...)]", &mut seen, errs) else {
            continue;
        };
        if key == NAME {
            node.name = setting(meta, errs, |v| value::name(v, key));
        } else {
            let parsed = apps(meta, errs);
            // A list whose every entry was wrong is not "empty": its entries have errors.
            if let Some(Expr::Array(list)) = value_of(meta) {
                if !parsed.is_empty() || list.elems.is_empty() {
                    node.apps = Some(Located::new(parsed, list));
                }
            }
        }
    }
    node.given = seen.names();
    node
}

/// `apps = [...]` / `base_apps = [...]`.
fn apps(meta: &Meta, errs: &mut Errors) -> Vec<App> {
    let key = meta.path().get_ident();
    list(meta, "[kazoo_apps, lager(load)]", errs, |v, errs| value::app(v, key?, errs))
}

fn vm_args(items: &Items, within: &str, args: &mut VmArgs, seen: &mut Seen, errs: &mut Errors) {
    for meta in items {
        let Some(key) = key(meta, VM_ARGS_KEYS, within, seen, errs) else {
            continue;
        };
        let k = key.to_string();
        let name = |v: &Expr| value::name(v, key);
        let example = if k == ASYNC_THREADS { "100" } else { "11500" };
        let int = |v: &Expr| value::integer(v, key, example);
        match k.as_str() {
            SASL_ERRLOG_TYPE => args.sasl_errlog_type = setting(meta, errs, name),
            INET_DIST_LISTEN_MIN => args.inet_dist_listen_min = setting(meta, errs, int),
            INET_DIST_LISTEN_MAX => args.inet_dist_listen_max = setting(meta, errs, int),
            KERNEL_POLL => args.kernel_poll = setting(meta, errs, |v| value::boolean(v, key)),
            ASYNC_THREADS => args.async_threads = setting(meta, errs, int),
            WARNING_MAP => args.warning_map = setting(meta, errs, name),
            PRINTABLE_RANGE => args.printable_range = setting(meta, errs, name),
            ENV => args.env = env(meta, errs),
            _ => {
                let example = "[\"+zdbbl 32768\", \"-heart\"]";
                args.raw = list(meta, example, errs, |v, errs| errs.ok(value::string(v, key, "\"+zdbbl 32768\"")));
            }
        }
    }
}

/// `env(NAME = "value", ...)`: any variable name, each at most once.
fn env(meta: &Meta, errs: &mut Errors) -> Vec<(Located<String>, String)> {
    let Some(items) = nested(meta, "env(ERL_CRASH_DUMP_NICE = \"1\")", errs) else {
        return Vec::new();
    };
    let mut seen = Seen::default();
    let mut vars = Vec::new();
    for item in &items {
        let Some(var) = item.path().get_ident() else {
            errs.at(item.path(), "expected an environment variable name, e.g. `ERL_CRASH_DUMP_NICE`");
            continue;
        };
        if !seen.first(var, "environment variable", errs) {
            continue;
        }
        let text = setting(item, errs, |v| value::string(v, var, "\"1\""));
        vars.extend(text.map(|t| (Located::new(var.to_string(), var), t.value)));
    }
    vars
}

fn overlays(items: &Items, errs: &mut Errors) -> Vec<Overlay> {
    // Each item is one overlay, so a kind may well appear twice in one attribute.
    let mut all = Vec::new();
    for meta in items {
        let Some(key) = key(meta, OVERLAY_KEYS, "#[overlay(...)]", &mut Seen::default(), errs) else {
            continue;
        };
        let k = key.to_string();
        let overlay = match k.as_str() {
            MKDIR => setting(meta, errs, |v| value::string(v, key, "\"log\""))
                .map(|path| Overlay::Mkdir { path: path.value }),
            COPY => from_to(meta, key, errs).map(|(from, to)| Overlay::Copy { from, to }),
            TEMPLATE => from_to(meta, key, errs).map(|(from, to)| Overlay::Template { from, to }),
            _ => chmod(meta, key, errs),
        };
        all.extend(overlay);
    }
    all
}

/// `pre_start = "bin/check"` or `post_start(module = m, function = f, args = ["1"])`; a hook
/// point given twice, across attributes too, is an error.
fn hooks(items: &Items, seen: &mut Seen, errs: &mut Errors) -> Vec<Hook> {
    let mut all = Vec::new();
    for meta in items {
        let Some(key) = key(meta, HOOK_KEYS, "#[hook(...)]", seen, errs) else {
            continue;
        };
        let point = Located::new(key.to_string(), key);
        let action = match meta {
            Meta::List(_) => call(meta, key, errs),
            _ => setting(meta, errs, |v| value::string(v, key, "\"bin/check-db\"")).map(HookAction::Command),
        };
        all.extend(action.map(|action| Hook { point, action }));
    }
    all
}

/// `point(module = m, function = f, args = ["Term", ...])`: an Erlang call on the node.
fn call(meta: &Meta, kind: &Ident, errs: &mut Errors) -> Option<HookAction> {
    let items = nested(meta, &format!("{kind}(module = kazoo_maintenance, function = refresh, args = [])"), errs)?;
    let (mut module, mut function, mut args) = (None, None, Vec::new());
    let mut seen = Seen::default();
    for item in &items {
        let Some(key) = key(item, CALL_KEYS, &format!("{kind}(...)"), &mut seen, errs) else {
            continue;
        };
        match key.to_string().as_str() {
            MODULE => module = setting(item, errs, |v| value::name(v, key)),
            FUNCTION => function = setting(item, errs, |v| value::name(v, key)),
            _ => {
                let terms = setting(item, errs, |v| value::list(v, key, "[\"<<\\\"abc\\\">>\", \"42\"]"));
                for term in terms.into_iter().flatten() {
                    args.extend(errs.ok(value::string(term, key, "\"42\"")).map(|t| t.value));
                }
            }
        }
    }
    let module = required(module, MODULE, kind, &seen, errs);
    Some(HookAction::Call { module: module?, function: required(function, FUNCTION, kind, &seen, errs)?, args })
}

/// `copy(from = "...", to = "...")`, `template(...)` alike.
fn from_to(meta: &Meta, kind: &Ident, errs: &mut Errors) -> Option<(String, String)> {
    let example = format!("{kind}(from = \"rel/nodetool\", to = \"bin/nodetool\")");
    let items = nested(meta, &example, errs)?;
    let (mut from, mut to) = (None, None);
    let mut seen = Seen::default();
    for item in &items {
        let Some(key) = key(item, COPY_KEYS, &format!("{kind}(...)"), &mut seen, errs) else {
            continue;
        };
        let path = setting(item, errs, |v| value::string(v, key, "\"rel/nodetool\""));
        *(if key == FROM { &mut from } else { &mut to }) = path.map(|p| p.value);
    }
    Some((required(from, FROM, kind, &seen, errs)?, required(to, TO, kind, &seen, errs)?))
}

/// `chmod(mode = 0o755, path = "bin/nodetool")`.
fn chmod(meta: &Meta, kind: &Ident, errs: &mut Errors) -> Option<Overlay> {
    let items = nested(meta, "chmod(mode = 0o755, path = \"bin/nodetool\")", errs)?;
    let (mut mode, mut path) = (None, None);
    let mut seen = Seen::default();
    for item in &items {
        let Some(key) = key(item, CHMOD_KEYS, "chmod(...)", &mut seen, errs) else {
            continue;
        };
        if key == MODE {
            mode = setting(item, errs, |v| value::integer(v, key, "0o755"));
        } else {
            path = setting(item, errs, |v| value::string(v, key, "\"bin/nodetool\"")).map(|p| p.value);
        }
    }
    let mode = required(mode, MODE, kind, &seen, errs);
    Some(Overlay::Chmod { mode: mode?, path: required(path, PATH, kind, &seen, errs)? })
}

/// `value`, or an error on `kind` when `key` was not written at all (a key written with a
/// bad value has its own error already).
fn required<T>(value: Option<T>, key: &str, kind: &Ident, seen: &Seen, errs: &mut Errors) -> Option<T> {
    if value.is_none() && !seen.has(key) {
        errs.at(kind, format!("`{kind}(...)` needs `{key} = ...`"));
    }
    value
}

fn profile(items: &Items, span: Span, errs: &mut Errors) -> Profile {
    let mut profile = Profile::new(span);
    let mut seen = Seen::default();
    for meta in items {
        let Some(key) = key(meta, PROFILE_KEYS, "#[profile(...)]", &mut seen, errs) else {
            continue;
        };
        let k = key.to_string();
        match k.as_str() {
            NAME => profile.name = setting(meta, errs, |v| value::name(v, key)),
            INCLUDE_ERTS => profile.include_erts = setting(meta, errs, |v| value::boolean(v, key)),
            DEV_MODE => profile.dev_mode = setting(meta, errs, |v| value::boolean(v, key)),
            STRIP_BEAMS => profile.strip_beams = setting(meta, errs, |v| value::boolean(v, key)),
            XREF => profile.xref = setting(meta, errs, |v| value::name(v, key)),
            DIST => profile.dist = setting(meta, errs, |v| value::name(v, key)),
            DIST_PORT => profile.dist_port = setting(meta, errs, |v| value::integer(v, key, "4370")),
            SYS_CONFIG => profile.sys_config = setting(meta, errs, |v| value::path(v, key)),
            _ => {
                let Some(items) = nested(meta, "vm_args(async_threads = 10)", errs) else {
                    continue;
                };
                let mut args = VmArgs::default();
                vm_args(&items, "a profile's vm_args(...)", &mut args, &mut Seen::default(), errs);
                profile.vm_args = Some(args);
            }
        }
    }
    profile.given = seen.names();
    profile
}

/// The key of `meta` when it is one of `known` and not a repeat; an error otherwise.
fn key<'a>(meta: &'a Meta, known: &[&str], within: &str, seen: &mut Seen, errs: &mut Errors) -> Option<&'a Ident> {
    let Some(key) = meta.path().get_ident() else {
        errs.at(meta.path(), format!("expected a key of `{within}`: {}", list_keys(known)));
        return None;
    };
    if !known.iter().any(|k| key == k) {
        errs.at(key, format!("unknown key `{key}` in `{within}`; expected one of: {}", list_keys(known)));
        return None;
    }
    seen.first(key, "key", errs).then_some(key)
}

fn list_keys(known: &[&str]) -> String {
    known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// The value of `key = value`, read by `read`.
fn setting<'a, T>(meta: &'a Meta, errs: &mut Errors, read: impl FnOnce(&'a Expr) -> syn::Result<T>) -> Option<T> {
    match meta {
        Meta::NameValue(nv) => errs.ok(read(&nv.value)),
        _ => {
            let key = meta.path();
            errs.at(meta, format!("`{}` needs a value: `{} = ...`", quote::quote!(#key), quote::quote!(#key)));
            None
        }
    }
}

fn value_of(meta: &Meta) -> Option<&Expr> {
    match meta {
        Meta::NameValue(nv) => Some(&nv.value),
        _ => None,
    }
}

/// The elements of `key = [...]`, each read by `read`; every bad element is reported.
fn list<T>(
    meta: &Meta,
    example: &str,
    errs: &mut Errors,
    mut read: impl FnMut(&Expr, &mut Errors) -> Option<T>,
) -> Vec<T> {
    let Some(key) = meta.path().get_ident() else {
        return Vec::new();
    };
    let Some(elems) = setting(meta, errs, |v| value::list(v, key, example)) else {
        return Vec::new();
    };
    elems.iter().filter_map(|elem| read(elem, errs)).collect()
}

/// The items of `key(...)`.
fn nested(meta: &Meta, example: &str, errs: &mut Errors) -> Option<Items> {
    match meta {
        Meta::List(list) => errs.ok(list.parse_args_with(Items::parse_terminated)),
        _ => {
            errs.at(meta, format!("expected a parenthesized list, e.g. `{example}`"));
            None
        }
    }
}

/// Keys (or variable names) already given in one attribute, or in all the attributes that
/// merge into one.
#[derive(Default)]
struct Seen(Vec<Ident>);

impl Seen {
    /// Whether `key` is new; a repeat is an error on the repeat.
    fn first(&mut self, key: &Ident, what: &str, errs: &mut Errors) -> bool {
        if let Some(earlier) = self.0.iter().find(|k| *k == key) {
            errs.at(key, format!("duplicate {what} `{key}`: already set{}", first_at(earlier.span(), key.span())));
            return false;
        }
        self.0.push(key.clone());
        true
    }

    fn names(&self) -> Vec<String> {
        self.0.iter().map(Ident::to_string).collect()
    }

    fn has(&self, key: &str) -> bool {
        self.0.iter().any(|k| k == key)
    }
}
