//! parse -> check -> expand: the `impl Release` building the `ReleaseSpec` the attributes
//! describe. Runs only on an input that passed every check; generated code reaches the
//! runtime crate only through its `__private` module, imported once at the top of the
//! `const _` block as `_kazoo_release` (from `::kazoo_release`, or `#[release(crate = ...)]`).

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::{DeriveInput, Generics, Ident, Path};

use crate::ast::{App, Hook, HookAction, Input, LibDir, Node, Overlay, Profile, VmArgs};
use crate::errors::{Errors, Located};
use crate::sym::{POST_START, POST_STOP, PRE_START, PRE_STOP};
use crate::{attr, check};

/// The whole derive; `Err` holds every error of the input.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errs = Errors::default();
    let parsed = attr::parse(input, &mut errs);
    check::check(&parsed, &mut errs);
    errs.finish()?;
    Ok(expand(&parsed))
}

fn expand(input: &Input) -> TokenStream {
    let krate = input.release.krate.as_ref();
    impl_release(&input.ident, &input.generics, krate, spec(input))
}

/// `impl Release` with `body` as `spec()`, inside the usual `const _` block that imports the
/// runtime crate's `__private` module as `_kazoo_release`; the stub an erroneous input
/// expands to uses it too.
pub fn impl_release(ident: &Ident, generics: &Generics, krate: Option<&Path>, body: TokenStream) -> TokenStream {
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let krate = krate.map_or_else(|| quote!(::kazoo_release), |path| quote!(#path));
    quote! {
        const _: () = {
            use #krate::__private as _kazoo_release;
            #[automatically_derived]
            impl #impl_generics _kazoo_release::Release for #ident #ty_generics #where_clause {
                fn spec() -> ::core::result::Result<
                    _kazoo_release::ReleaseSpec,
                    _kazoo_release::SerError,
                > {
                    #body
                }
            }
        };
    }
}

fn spec(input: &Input) -> TokenStream {
    let release = &input.release;
    let name = release.name.as_ref().map(|n| string(&n.value));
    let version = option(release.version.as_ref().map(|v| string(&v.value)));
    let default_node = release.default_node.as_ref().or_else(|| input.nodes.first().and_then(|n| n.name.as_ref()));
    let default_node = default_node.map(|n| string(&n.value));
    let nodes = input.nodes.iter().map(node);
    let base_apps = release.base_apps.iter().map(app);
    let lib_dirs = release.lib_dirs.iter().map(lib_dir);
    // relx's defaults for a production release built from a system-installed Erlang.
    let include_erts = release.include_erts.unwrap_or(false);
    let include_src = release.include_src.unwrap_or(false);
    let dev_mode = release.dev_mode.unwrap_or(false);
    let strip_beams = release.strip_beams.unwrap_or(false);
    let load_lib_dirs = release.load_lib_dirs.unwrap_or(false);
    let xref = xref_policy(release.xref.as_ref()).unwrap_or_else(|| quote!(_kazoo_release::XrefPolicy::Warn));
    let xref_ignore = release.xref_ignore.iter().map(|entry| string(&entry.value));
    let dist = dist_mode(release.dist.as_ref()).unwrap_or_else(|| quote!(_kazoo_release::DistMode::Tcp));
    let dist_port = option(dist_port(release.dist_port.as_ref()));
    let vm_args = vm_args(&input.vm_args);
    let sys_config =
        release.sys_config.as_ref().map_or_else(|| quote!(::core::default::Default::default()), sys_config);
    let overlays = input.overlays.iter().map(overlay);
    let profiles = input.profiles.iter().map(profile);
    let hooks = hooks(&input.hooks);
    quote! {
        ::core::result::Result::Ok(_kazoo_release::ReleaseSpec {
            name: #name,
            version: #version,
            default_node: #default_node,
            nodes: ::std::vec![#(#nodes),*],
            base_apps: ::std::vec![#(#base_apps),*],
            lib_dirs: ::std::vec![#(#lib_dirs),*],
            include_erts: #include_erts,
            include_src: #include_src,
            dev_mode: #dev_mode,
            strip_beams: #strip_beams,
            load_lib_dirs: #load_lib_dirs,
            xref: #xref,
            xref_ignore: ::std::vec![#(#xref_ignore),*],
            dist: #dist,
            dist_port: #dist_port,
            vm_args: #vm_args,
            sys_config: #sys_config,
            overlays: ::std::vec![#(#overlays),*],
            profiles: ::std::vec![#(#profiles),*],
            hooks: #hooks,
        })
    }
}

/// A `LibDir`, declared at the file and line of its string (`file!()` and `line!()` spanned
/// there name the user's source, not this macro).
fn lib_dir(dir: &LibDir) -> TokenStream {
    let path = string(&dir.path.value);
    let optional = dir.optional;
    let declared = quote::quote_spanned!(dir.path.span()=> ::core::concat!(::core::file!(), ":", ::core::line!()));
    quote! {
        _kazoo_release::LibDir { path: #path, optional: #optional, declared: ::std::string::String::from(#declared) }
    }
}

/// `Hooks { pre_start: Some(Hook::Command(..)), .. }`.
fn hooks(hooks: &[Hook]) -> TokenStream {
    let at = |point: &str| {
        let hook = hooks.iter().find(|h| h.point.value == point).map(|h| match &h.action {
            HookAction::Command(command) => {
                let command = string(&command.value);
                quote!(_kazoo_release::Hook::Command(#command))
            }
            HookAction::Call { module, function, args } => {
                let (module, function) = (string(&module.value), string(&function.value));
                let args = args.iter().map(|a| string(a));
                quote!(_kazoo_release::Hook::Call { module: #module, function: #function, args: ::std::vec![#(#args),*] })
            }
        });
        option(hook)
    };
    let (pre_start, post_start, pre_stop, post_stop) = (at(PRE_START), at(POST_START), at(PRE_STOP), at(POST_STOP));
    quote!(_kazoo_release::Hooks { pre_start: #pre_start, post_start: #post_start, pre_stop: #pre_stop, post_stop: #post_stop })
}

fn string(value: &str) -> TokenStream {
    quote!(::std::string::String::from(#value))
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

fn node(node: &Node) -> TokenStream {
    let name = node.name.as_ref().map(|n| string(&n.value));
    let apps = node.apps.iter().flat_map(|apps| &apps.value).map(app);
    quote! {
        _kazoo_release::NodeType { name: #name, apps: ::std::vec![#(#apps),*] }
    }
}

fn app(app: &App) -> TokenStream {
    let name = string(&app.name.value);
    let version = option(app.version.as_ref().map(|v| string(&v.value)));
    let start_type = match app.start_type.as_ref().map_or("permanent", |t| t.value.as_str()) {
        "transient" => quote!(Transient),
        "temporary" => quote!(Temporary),
        "load" => quote!(Load),
        "none" => quote!(None),
        _ => quote!(Permanent),
    };
    quote! {
        _kazoo_release::AppSpec {
            name: #name,
            version: #version,
            start_type: _kazoo_release::StartType::#start_type,
        }
    }
}

/// Calls the user's sys.config function. The `fn` pointer type makes a wrong signature an
/// error on the user's path rather than somewhere in the expansion.
fn sys_config(path: &Path) -> TokenStream {
    quote! {{
        let sys_config_fn: fn() -> ::core::result::Result<
            _kazoo_release::SysConfig,
            _kazoo_release::SerError,
        > = #path;
        sys_config_fn()?
    }}
}

fn vm_args(args: &VmArgs) -> TokenStream {
    let text = |v: &Option<Located<String>>| option(v.as_ref().map(|v| string(&v.value)));
    let (sasl_errlog_type, warning_map, printable_range) =
        (text(&args.sasl_errlog_type), text(&args.warning_map), text(&args.printable_range));
    let listen = match (&args.inet_dist_listen_min, &args.inet_dist_listen_max) {
        (Some(min), Some(max)) => {
            let (min, max) = (port(min.value), port(max.value));
            option(Some(quote!((#min, #max))))
        }
        _ => option(None),
    };
    let kernel_poll = option(args.kernel_poll.map(|b| quote!(#b)));
    let async_threads = option(args.async_threads.as_ref().map(|t| {
        let t = Literal::u32_unsuffixed(u32::try_from(t.value).unwrap_or_default());
        quote!(#t)
    }));
    let env = args.env.iter().map(|(name, value)| {
        let (name, value) = (string(&name.value), string(value));
        quote!((#name, #value))
    });
    let raw = args.raw.iter().map(|r| string(&r.value));
    quote! {
        _kazoo_release::VmArgs {
            sasl_errlog_type: #sasl_errlog_type,
            inet_dist_listen: #listen,
            kernel_poll: #kernel_poll,
            async_threads: #async_threads,
            warning_map: #warning_map,
            printable_range: #printable_range,
            env: ::std::vec![#(#env),*],
            raw: ::std::vec![#(#raw),*],
        }
    }
}

/// Checked to be in 1..=65535 already.
fn port(value: i128) -> Literal {
    Literal::u16_unsuffixed(u16::try_from(value).unwrap_or_default())
}

fn overlay(overlay: &Overlay) -> TokenStream {
    let o = quote!(_kazoo_release::Overlay);
    match overlay {
        Overlay::Mkdir { path } => {
            let path = string(path);
            quote!(#o::Mkdir { path: #path })
        }
        Overlay::Copy { from, to } => {
            let (from, to) = (string(from), string(to));
            quote!(#o::Copy { from: #from, to: #to })
        }
        Overlay::Template { from, to } => {
            let (from, to) = (string(from), string(to));
            quote!(#o::Template { from: #from, to: #to })
        }
        Overlay::Chmod { mode, path } => {
            let (mode, path) = (Literal::u32_unsuffixed(u32::try_from(mode.value).unwrap_or_default()), string(path));
            quote!(#o::Chmod { mode: #mode, path: #path })
        }
    }
}

/// What the profile sets, and only that: `ReleaseSpec::apply` merges it over the default
/// (`VmArgs::merge`: set flags replace, `env` and `raw` lines are appended).
fn profile(profile: &Profile) -> TokenStream {
    let name = profile.name.as_ref().map(|n| string(&n.value));
    let include_erts = option(profile.include_erts.map(|b| quote!(#b)));
    let dev_mode = option(profile.dev_mode.map(|b| quote!(#b)));
    let strip_beams = option(profile.strip_beams.map(|b| quote!(#b)));
    let xref = option(xref_policy(profile.xref.as_ref()));
    let dist = option(dist_mode(profile.dist.as_ref()));
    let dist_port = option(dist_port(profile.dist_port.as_ref()));
    let vm_args = option(profile.vm_args.as_ref().map(vm_args));
    let sys_config = option(profile.sys_config.as_ref().map(sys_config));
    quote! {
        _kazoo_release::Profile {
            name: #name,
            include_erts: #include_erts,
            dev_mode: #dev_mode,
            strip_beams: #strip_beams,
            xref: #xref,
            dist: #dist,
            dist_port: #dist_port,
            vm_args: #vm_args,
            sys_config: #sys_config,
        }
    }
}

/// `dist = tls` as the spec's value (check.rs has refused any other word).
fn dist_mode(mode: Option<&Located<String>>) -> Option<TokenStream> {
    mode.map(|m| match m.value.as_str() {
        "tls" => quote!(_kazoo_release::DistMode::Tls),
        _ => quote!(_kazoo_release::DistMode::Tcp),
    })
}

/// `dist_port = 4370` as a `u16` (check.rs has refused what is not a port).
fn dist_port(port: Option<&Located<i128>>) -> Option<TokenStream> {
    port.map(|p| {
        let port = u16::try_from(p.value).unwrap_or_default();
        quote!(#port)
    })
}

/// `xref = deny` as the spec's value (check.rs has refused any other word).
fn xref_policy(policy: Option<&Located<String>>) -> Option<TokenStream> {
    policy.map(|p| match p.value.as_str() {
        "deny" => quote!(_kazoo_release::XrefPolicy::Deny),
        _ => quote!(_kazoo_release::XrefPolicy::Warn),
    })
}
