//! `#[derive(Release)]` at run time: the design's full example expands to the expected
//! `ReleaseSpec`, profiles carry only what they set, and one node type is the default.

use kazoo_release::spec::{
    AppSpec, DistMode, Hook, Hooks, LibDir, NodeType, Overlay, Profile, Release, ReleaseSpec, StartType, SysConfig,
    VmArgs, XrefPolicy,
};

// The full example is the trybuild pass case itself, so the two cannot drift apart.
#[path = "ui/pass/full.rs"]
#[allow(dead_code)]
mod full;

use full::{kazoo_sys_config, Kazoo};

fn app(name: &str, version: Option<&str>, start_type: StartType) -> AppSpec {
    AppSpec { name: name.to_owned(), version: version.map(str::to_owned), start_type }
}

fn permanent(name: &str) -> AppSpec {
    app(name, None, StartType::Permanent)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A lib dir of the full example, declared on its line 19 (`file!()` as cargo names it,
/// relative to the workspace).
fn lib_dir(path: &str, optional: bool) -> LibDir {
    let declared = "kazoo-release/tests/ui/pass/full.rs:19".to_owned();
    LibDir { path: path.to_owned(), optional, declared }
}

fn kazoo_vm_args() -> VmArgs {
    VmArgs {
        sasl_errlog_type: Some("error".to_owned()),
        inet_dist_listen: Some((11500, 11999)),
        kernel_poll: Some(true),
        async_threads: Some(100),
        warning_map: Some("w".to_owned()),
        printable_range: Some("unicode".to_owned()),
        env: vec![("ERL_CRASH_DUMP_NICE".to_owned(), "1".to_owned())],
        raw: strings(&["+zdbbl 32768", "-heart"]),
    }
}

fn expected() -> ReleaseSpec {
    ReleaseSpec {
        name: "kazoo".to_owned(),
        version: Some("4.3.0".to_owned()),
        default_node: "kazoo_apps".to_owned(),
        nodes: vec![
            NodeType { name: "ecallmgr".to_owned(), apps: vec![permanent("ecallmgr")] },
            NodeType {
                name: "kazoo_apps".to_owned(),
                apps: vec![
                    permanent("kazoo_apps"),
                    app("lager", None, StartType::Load),
                    app("goldrush", Some("0.1.9"), StartType::Permanent),
                    app("sync", Some("0.1.3"), StartType::Load),
                ],
            },
        ],
        base_apps: vec![permanent("runtime_tools"), permanent("tools"), permanent("sasl")],
        lib_dirs: vec![lib_dir("applications", false), lib_dir("core", false), lib_dir("deps", true)],
        include_erts: true,
        include_src: false,
        dev_mode: false,
        strip_beams: false,
        load_lib_dirs: false,
        xref: XrefPolicy::Warn,
        xref_ignore: strings(&["crypto:hmac/3", "pg2"]),
        dist: DistMode::Tcp,
        dist_port: None,
        vm_args: kazoo_vm_args(),
        sys_config: kazoo_sys_config().unwrap(),
        overlays: vec![
            Overlay::Mkdir { path: "log".to_owned() },
            Overlay::Copy { from: "rel/nodetool".to_owned(), to: "bin/nodetool".to_owned() },
            Overlay::Template { from: "rel/kazoo.hbs".to_owned(), to: "bin/kazoo-env".to_owned() },
            Overlay::Chmod { mode: 0o755, path: "bin/nodetool".to_owned() },
        ],
        profiles: vec![
            Profile {
                name: "dev".to_owned(),
                include_erts: Some(false),
                dev_mode: Some(true),
                strip_beams: None,
                xref: None,
                dist: None,
                dist_port: None,
                // Only what the profile sets; `ReleaseSpec::apply` merges it over the default.
                vm_args: Some(VmArgs { async_threads: Some(10), raw: strings(&["+sbwt none"]), ..VmArgs::default() }),
                sys_config: Some(SysConfig::default()),
            },
            Profile {
                name: "dist".to_owned(),
                strip_beams: Some(true),
                xref: Some(XrefPolicy::Deny),
                dist: Some(DistMode::Tls),
                dist_port: Some(4370),
                ..Profile::default()
            },
        ],
        hooks: Hooks {
            pre_start: Some(Hook::Command("bin/check-db".to_owned())),
            pre_stop: Some(Hook::Call {
                module: "kazoo_maintenance".to_owned(),
                function: "drain".to_owned(),
                args: strings(&["30"]),
            }),
            ..Hooks::default()
        },
    }
}

#[test]
fn the_full_example_expands_to_its_spec() {
    assert_eq!(Kazoo::spec().unwrap(), expected());
}

#[test]
fn a_profile_merges_over_the_default() {
    let dev = Kazoo::spec().unwrap().with_profile("dev").unwrap();
    assert!(dev.dev_mode);
    assert!(!dev.include_erts);
    let mut vm_args = kazoo_vm_args();
    vm_args.async_threads = Some(10);
    vm_args.raw.push("+sbwt none".to_owned());
    assert_eq!(dev.vm_args, vm_args);
    assert!(!dev.strip_beams);
    let dist = Kazoo::spec().unwrap().with_profile("dist").unwrap();
    assert!(dist.strip_beams);
    assert_eq!((dev.xref, dist.xref), (XrefPolicy::Warn, XrefPolicy::Deny));
}

#[derive(kazoo_release::Release)]
#[release(name = "minimal", version = "0.1.0-rc.1+build.5")]
#[node(name = minimal, apps = [minimal, sasl(temporary)])]
struct Minimal;

#[test]
fn one_node_type_is_the_default() {
    let spec = Minimal::spec().unwrap();
    assert_eq!(spec.default_node, "minimal");
    assert_eq!(spec.version.as_deref(), Some("0.1.0-rc.1+build.5"));
    assert_eq!(spec.nodes[0].apps[1], app("sasl", None, StartType::Temporary));
    assert_eq!((spec.include_erts, spec.include_src, spec.dev_mode, spec.strip_beams), (false, false, false, false));
    assert_eq!(spec.vm_args, VmArgs::default());
    assert_eq!((spec.xref, spec.xref_ignore.len()), (XrefPolicy::Warn, 0));
    assert_eq!(spec.sys_config, SysConfig::default());
    assert!(spec.overlays.is_empty() && spec.profiles.is_empty() && spec.lib_dirs.is_empty());
}
