//! The derive on `proc_macro2` tokens: every check, and that all errors come out together.

use syn::{parse_quote, DeriveInput};

use crate::expand::derive;

/// Every error message of `input`, in order; empty when it expands.
fn errors(input: DeriveInput) -> Vec<String> {
    match derive(&input) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// The one error of `input`, which must contain `expected`.
#[track_caller]
fn error(input: DeriveInput, expected: &str) {
    let errors = errors(input);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains(expected), "{:?} lacks {expected:?}", errors[0]);
}

/// Errors with the line and column they point at, for source text with real positions.
fn located(source: &str) -> Vec<(String, usize, usize)> {
    let input: DeriveInput = syn::parse_str(source).expect("test input parses");
    let Err(errors) = derive(&input) else {
        return Vec::new();
    };
    errors.into_iter().map(|e| (e.to_string(), e.span().start().line, e.span().start().column)).collect()
}

#[test]
fn the_full_example_expands() {
    // The runtime crate's trybuild pass case, so the example is written once.
    let file: syn::File = syn::parse_str(include_str!("../../kazoo-release/tests/ui/pass/full.rs")).unwrap();
    let input: DeriveInput = file
        .items
        .into_iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == "Kazoo" => Some(s.into()),
            _ => None,
        })
        .unwrap();
    let tokens = derive(&input).map_err(|e| e.to_string()).unwrap().to_string();
    assert!(tokens.starts_with("const _ : () ="), "{tokens}");
    assert!(tokens.contains("# [automatically_derived]"));
    for part in ["ReleaseSpec", "StartType :: Load", "\"0.1.9\"", "Overlay :: Chmod { mode : 493", "kazoo_sys_config"] {
        assert!(tokens.contains(part), "{part} missing from {tokens}");
    }
    // Generated code reaches the runtime crate only through its hidden module, imported once.
    assert_eq!(tokens.matches(":: kazoo_release").count(), 1, "{tokens}");
    assert!(tokens.contains("{ use :: kazoo_release :: __private as _kazoo_release ;"));
}

#[test]
fn one_node_needs_no_default() {
    assert!(errors(parse_quote! {
        #[release(name = "minimal")]
        #[node(name = "minimal", apps = [minimal])]
        struct Minimal<T: Clone>(T);
    })
    .is_empty());
}

#[test]
fn names_must_be_atoms() {
    error(parse_quote!(#[release(name = Kazoo)] #[node(name = a, apps = [a])] struct K;), "`Kazoo` is not a valid Erlang atom: it starts with an uppercase letter (Erlang would read a variable); use lowercase");
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = "kazoo-apps", apps = [a])]
            struct K;
        ),
        "`kazoo-apps` is not a valid Erlang atom: it contains `-`; use `_` instead",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [Lager])]
            struct K;
        ),
        "`Lager`",
    );
    error(
        parse_quote!(
            #[release(name = k, base_apps = ["1sasl"])]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "`1sasl` is not a valid Erlang atom: it starts with a digit",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a])]
            #[profile(name = Dev)]
            struct K;
        ),
        "`Dev`",
    );
    error(
        parse_quote!(
            #[release(name = k, default_node = "x y")]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "contains ` `",
    );
    error(
        parse_quote!(
            #[release(name = r#try)]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "`try` is not a valid Erlang atom: it is a reserved word",
    );
}

#[test]
fn names_hold_no_at_sign_quoted_or_not() {
    let at = "cannot be a name here: it contains `@`, which separates a node's name from its host";
    error(
        parse_quote!(
            #[release(name = "he@llo")]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        &format!("`he@llo` {at}"),
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = "kazoo@apps", apps = [a])]
            struct K;
        ),
        &format!("`kazoo@apps` {at}"),
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a, "my@app"])]
            struct K;
        ),
        &format!("`my@app` {at}"),
    );
    // Unquoted it does not parse: the same one error, and no "the release has no node types".
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = kazoo@apps, apps = [a])]
            struct K;
        ),
        &format!("`kazoo@apps` {at}"),
    );
    error(
        parse_quote!(
            #[release(name = he@llo)]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        &format!("`he@llo` {at}"),
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a])]
            #[profile(name = d@v)]
            struct K;
        ),
        &format!("`d@v` {at}"),
    );
}

#[test]
fn versions() {
    error(
        parse_quote!(
            #[release(name = k, version = "")]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "the version is empty",
    );
    error(
        parse_quote!(
            #[release(name = k, version = "4..3")]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "`4..3` is not a valid release version: it contains `..`",
    );
    error(
        parse_quote!(
            #[release(name = k, version = "4.3.")]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "it ends with `.`",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a("1 0")])]
            struct K;
        ),
        "`1 0` is not a valid release version",
    );
}

#[test]
fn duplicates() {
    error(
        parse_quote!(
            #[release(name = k, default_node = a)]
            #[node(name = a, apps = [a])]
            #[node(name = a, apps = [b])]
            struct K;
        ),
        "duplicate node type `a`: already declared",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a, lager, lager(load)])]
            struct K;
        ),
        "duplicate application `lager` in node type `a`: already listed",
    );
    error(
        parse_quote!(
            #[release(name = k, base_apps = [sasl])]
            #[node(name = a, apps = [a, sasl])]
            struct K;
        ),
        "application `sasl` is already in base_apps",
    );
    error(
        parse_quote!(
            #[release(name = k, base_apps = [sasl, sasl])]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "duplicate application `sasl` in base_apps",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a])]
            #[profile(name = dev)]
            #[profile(name = dev)]
            struct K;
        ),
        "duplicate profile `dev`",
    );
}

#[test]
fn default_node() {
    error(
        parse_quote!(
            #[release(name = k, default_node = c)]
            #[node(name = a, apps = [a])]
            #[node(name = b, apps = [b])]
            struct K;
        ),
        "default_node `c` is not a declared node type; declared: `a`, `b`",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a])]
            #[node(name = b, apps = [b])]
            struct K;
        ),
        "the release declares 2 node types (`a`, `b`): add `default_node = ...`",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            struct K;
        ),
        "the release has no node types",
    );
    error(
        parse_quote!(
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "the release has no name",
    );
}

#[test]
fn listen_ports() {
    let node = quote::quote!(#[release(name = k)] #[node(name = a, apps = [a])]);
    let with = |args: proc_macro2::TokenStream| -> DeriveInput { parse_quote!(#node #[vm_args(#args)] struct K;) };
    error(
        with(quote::quote!(inet_dist_listen_min = 12000, inet_dist_listen_max = 11999)),
        "`inet_dist_listen_min` (12000) is above `inet_dist_listen_max` (11999)",
    );
    error(
        with(quote::quote!(inet_dist_listen_min = 0, inet_dist_listen_max = 11999)),
        "`inet_dist_listen_min` must be a port in 1..=65535, found 0",
    );
    error(with(quote::quote!(inet_dist_listen_min = 1, inet_dist_listen_max = 65536)), "found 65536");
    error(with(quote::quote!(inet_dist_listen_min = -1, inet_dist_listen_max = 2)), "found -1");
    error(
        with(quote::quote!(inet_dist_listen_max = 11999)),
        "`inet_dist_listen_max` is set without `inet_dist_listen_min`",
    );
}

#[test]
fn vm_args_values() {
    let node = quote::quote!(#[release(name = k)] #[node(name = a, apps = [a])]);
    let with = |args: proc_macro2::TokenStream| -> DeriveInput { parse_quote!(#node #[vm_args(#args)] struct K;) };
    error(with(quote::quote!(raw = ["+Xyz 1"])), "unknown emulator flag `+Xyz`");
    error(with(quote::quote!(raw = ["zdbbl 32768"])), "raw vm.args line `zdbbl 32768` must start with `+`");
    error(with(quote::quote!(async_threads = 1025)), "`async_threads` (erl's +A) must be in 0..=1024, found 1025");
    error(with(quote::quote!(warning_map = x)), "`x` is not a valid `warning_map`: expected one of w, e, i");
    error(with(quote::quote!(printable_range = utf8)), "expected one of latin1, unicode");
    error(with(quote::quote!(sasl_errlog_type = "warning")), "expected one of error, progress, all");
    error(with(quote::quote!(env(A = "1", A = "2"))), "duplicate environment variable `A`");
    assert!(errors(with(quote::quote!(raw = ["+MBas aobf", "+P1000000", "-heart", "+sbwt none"]))).is_empty());
    // A profile's vm_args are checked alike.
    error(
        parse_quote!(#node #[profile(name = dev, vm_args(raw = ["+Q9x"]))] struct K;),
        "unknown emulator flag `+Q9x`",
    );
}

#[test]
fn apps() {
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [])]
            struct K;
        ),
        "node type `a` has no applications: list at least one",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a)]
            struct K;
        ),
        "node type `a` has no applications: add `apps = [...]`",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a(boot)])]
            struct K;
        ),
        "unknown start type `boot`: expected one of permanent, transient, temporary, load, none",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a(load, none)])]
            struct K;
        ),
        "`a` is given a start type twice",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a(1)])]
            struct K;
        ),
        "expected a start type",
    );
}

#[test]
fn keys() {
    error(
        parse_quote!(
            #[release(name = k, nmae = x)]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "unknown key `nmae` in `#[release(...)]`; expected one of: `name`, `version`",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[release(name = j)]
            #[node(name = a, apps = [a])]
            struct K;
        ),
        "duplicate key `name`: already set",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a])]
            #[overlay(copy(from = "a"))]
            struct K;
        ),
        "`copy(...)` needs `to = ...`",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a])]
            #[overlay(chmod(mode = 0o17777, path = "a"))]
            struct K;
        ),
        "found 0o17777",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a])]
            #[overlay(link = "a")]
            struct K;
        ),
        "expected one of: `mkdir`, `copy`, `template`, `chmod`",
    );
    error(
        parse_quote!(
            #[release(name = k)]
            #[node(name = a, apps = [a])]
            enum K {}
        ),
        "goes on a struct",
    );
}

#[test]
fn value_types() {
    let node = quote::quote!(#[node(name = a, apps = [a])]);
    error(
        parse_quote!(#[release(name = k, include_erts = "yes")] #node struct K;),
        "`include_erts` takes `true` or `false`",
    );
    error(
        parse_quote!(#[release(name = k, version = 4)] #node struct K;),
        "`version` takes a string literal, e.g. `version = \"4.3.0\"`",
    );
    error(parse_quote!(#[release(name = k, lib_dirs = "deps")] #node struct K;), "`lib_dirs` takes a list in brackets");
    error(parse_quote!(#[release(name = 1)] #node struct K;), "`name` takes a name");
    error(parse_quote!(#[release(name = k, dev_mode)] #node struct K;), "`dev_mode` needs a value: `dev_mode = ...`");
    error(
        parse_quote!(#[release(name = k)] #node #[vm_args(async_threads = "10")] struct K;),
        "`async_threads` takes an integer literal",
    );
    error(
        parse_quote!(#[release(name = k, sys_config = 3)] #node struct K;),
        "`sys_config` takes the path of a function",
    );
}

#[test]
fn every_mistake_is_reported_at_once() {
    let all = errors(parse_quote! {
        #[release(name = Kazoo, version = "", bogus = 1)]
        #[node(name = a, apps = [])]
        #[node(name = a, apps = [x-y])]
        #[vm_args(async_threads = 5000, raw = ["+Xyz"], inet_dist_listen_min = 2)]
        struct K;
    });
    assert_eq!(all.len(), 9, "{all:#?}");
    assert!(all[1].contains("`x-y` is not a valid Erlang atom: it contains `-`"), "{all:#?}");
}

#[test]
fn errors_point_at_the_offending_token() {
    let source = "#[release(name = k, default_node = a)]\n\
                  #[node(name = a, apps = [a])]\n\
                  #[node(name = a, apps = [b, lager, lager])]\n\
                  #[vm_args(raw = [\"+Xyz\"])]\n\
                  struct K;";
    let all = located(source);
    assert_eq!(
        all,
        vec![
            ("duplicate node type `a`: already declared (first on line 2)".to_owned(), 3, 14),
            ("duplicate application `lager` in node type `a`: already listed (earlier on this line)".to_owned(), 3, 35),
            ("unknown emulator flag `+Xyz` (see \"Emulator Flags\" in the erts `erl` manual)".to_owned(), 4, 17),
        ]
    );
}

#[test]
fn a_renamed_crate_is_reached_through_its_path() {
    let input: DeriveInput = parse_quote! {
        #[release(crate = kr, name = hello)]
        #[node(name = hello, apps = [sasl])]
        struct Hello;
    };
    let tokens = derive(&input).unwrap().to_string();
    assert!(tokens.contains("use kr :: __private as _kazoo_release ;"), "{tokens}");
    assert!(!tokens.contains(":: kazoo_release"), "{tokens}");
    // An input with errors still implements the trait of the renamed crate.
    let input: DeriveInput = parse_quote! {
        #[release(crate = "kr", name = "not an atom")]
        #[node(name = hello, apps = [sasl])]
        struct Hello;
    };
    let errors = derive(&input).unwrap_err();
    let stub = crate::fallback::stub(&input, errors).to_string();
    assert!(stub.contains("use kr :: __private as _kazoo_release ;"), "{stub}");
}

#[test]
fn crate_takes_a_path() {
    error(
        parse_quote! {
            #[release(crate = 3, name = hello)]
            #[node(name = hello, apps = [sasl])]
            struct Hello;
        },
        "`crate` takes the path of the kazoo-release crate",
    );
}
