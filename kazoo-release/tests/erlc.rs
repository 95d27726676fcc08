//! build::erlc on applications written here: compiled by the real compiler, loaded and
//! called in a real `erl`.

use std::path::{Path, PathBuf};
use std::process::Command;

use kazoo_release::build::erlc::{Build, Compiled, ErlcError};

#[path = "../../tests/support/mod.rs"]
mod support;

/// Two lib dirs, `apps/` and `deps/`, in a temporary folder; the out dir beside them.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new() -> Tree {
        let tree = Tree { dir: tempfile::tempdir().unwrap() };
        for lib in ["apps", "deps"] {
            std::fs::create_dir(tree.path(lib)).unwrap();
        }
        tree
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) -> &Tree {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// An application `name` in lib dir `lib` with the given modules (`(file, source)`).
    fn app(&self, lib: &str, name: &str, modules: &[(&str, &str)]) -> &Tree {
        let app_src = format!("{{application, {name}, [{{vsn, \"1.0.0\"}}, {{applications, [kernel, stdlib]}}]}}.\n");
        self.write(&format!("{lib}/{name}/src/{name}.app.src"), &app_src);
        for (file, source) in modules {
            self.write(&format!("{lib}/{name}/src/{file}"), source);
        }
        self
    }

    fn build(&self) -> Build {
        Build::new().lib_dir(self.path("apps")).lib_dir(self.path("deps")).out_dir(self.path("out")).jobs(2)
    }

    fn compile(&self) -> Compiled {
        self.compile_with(|build| build)
    }

    fn compile_with(&self, options: impl FnOnce(Build) -> Build) -> Compiled {
        options(self.build()).compile().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The value of `expr` in an `erl` whose code path has every compiled application.
    fn eval(&self, expr: &str) -> String {
        let ebins = glob(&self.path("out/*/*/ebin"));
        let output = support::vm_in(&mut Command::new("erl"), self.dir.path())
            .args(["-noshell", "-boot", "start_clean"])
            .args(ebins.iter().flat_map(|e| ["-pa".as_ref(), e.as_os_str()]))
            .args(["-eval", &format!("io:format(\"~p\", [begin {expr} end]), halt().")])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    fn touch(&self, relative: &str) {
        let file = std::fs::File::options().append(true).open(self.path(relative)).unwrap();
        let later =
            std::fs::metadata(self.path(relative)).unwrap().modified().unwrap() + std::time::Duration::from_secs(2);
        file.set_modified(later).unwrap();
    }
}

fn glob(pattern: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ::glob::glob(&pattern.to_string_lossy()).unwrap().map(Result::unwrap).collect();
    found.sort();
    found
}

/// A parse transform that adds `transformed() -> {yes, Module}` to the module it transforms.
const TRANSFORM: &str = r#"-module(z_transform).
-export([parse_transform/2]).
parse_transform(Forms, _Options) ->
    {Before, [Attribute = {attribute, _, module, Module} | After]} =
        lists:splitwith(fun({attribute, _, module, _}) -> false; (_) -> true end, Forms),
    {eof, L} = Eof = lists:last(After),
    Export = {attribute, L, export, [{transformed, 0}]},
    Function = {function, L, transformed, 0, [{clause, L, [], [], [{tuple, L, [{atom, L, yes}, {atom, L, Module}]}]}]},
    Before ++ [Attribute, Export | lists:droplast(After)] ++ [Function, Eof].
"#;

#[test]
fn parse_transforms_and_behaviours_compile_before_their_users_across_applications() {
    let tree = Tree::new();
    // The users sort first (lib dir `apps` before `deps`, `a_*` files), so only the
    // dependency order puts the transform and the behaviour before them.
    tree.app(
        "apps",
        "user",
        &[
            ("a_transformed.erl", "-module(a_transformed).\n-compile({parse_transform, z_transform}).\n"),
            (
                "a_worker.erl",
                "-module(a_worker).\n-behaviour(z_behaviour).\n-export([handle/1]).\nhandle(X) -> {handled, X}.\n",
            ),
        ],
    )
    .app("apps", "by_option", &[("b_by_option.erl", "-module(b_by_option).\n")])
    .app(
        "deps",
        "tools_app",
        &[
            ("z_transform.erl", TRANSFORM),
            ("z_behaviour.erl", "-module(z_behaviour).\n-callback handle(term()) -> term().\n"),
        ],
    );
    // A missing behaviour is only a warning; as an error it shows the order.
    let compiled = tree
        .build()
        .jobs(1)
        .app_options("user", ["-Werror"])
        .app_options("by_option", ["+{parse_transform, z_transform}"])
        .compile()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(compiled.modules_compiled, 5);
    assert_eq!(
        tree.eval("{a_transformed:transformed(), b_by_option:transformed()}"),
        "{{yes,a_transformed},{yes,b_by_option}}"
    );
    assert_eq!(tree.eval("a_worker:handle(1)"), "{handled,1}");
}

#[test]
fn include_lib_finds_another_applications_header_and_rebar_config_options_apply() {
    let tree = Tree::new();
    tree.write("deps/base/include/base.hrl", "-define(GREETING, <<\"hello from base\">>).\n");
    tree.app("deps", "base", &[("base.erl", "-module(base).\n")]);
    tree.app(
        "apps",
        "front",
        &[(
            "front.erl",
            "-module(front).\n-include_lib(\"base/include/base.hrl\").\n-export([greeting/0, flavour/0, modern/0]).\n\
             greeting() -> ?GREETING.\nflavour() -> ?FLAVOUR.\n\
             -ifdef(modern).\nmodern() -> true.\n-else.\nmodern() -> false.\n-endif.\n",
        )],
    );
    tree.write(
        "apps/front/rebar.config",
        "{erl_opts, [debug_info, {d, 'FLAVOUR', rebar}, {platform_define, \"^[0-9]+-\", modern}, {platform_define, \"^R1[0-9]\", old}]}.\n",
    );
    tree.compile();
    assert_eq!(
        tree.eval("{front:greeting(), front:flavour(), front:modern()}"),
        "{<<\"hello from base\">>,rebar,true}"
    );
}

#[test]
fn app_files_list_the_modules_and_an_app_src_script_is_evaluated() {
    let tree = Tree::new();
    tree.app("apps", "plain", &[("plain_a.erl", "-module(plain_a).\n"), ("plain_b.erl", "-module(plain_b).\n")]);
    tree.write(
        "apps/scripted/src/scripted.app.src",
        "{application, scripted, [{vsn, \"2.0.0\"}, {applications, [kernel]}]}.\n",
    );
    tree.write(
        "apps/scripted/src/scripted.app.src.script",
        "[{application, scripted, Props}] = CONFIG,\ntrue = is_list(SCRIPT),\n\
         [{application, scripted, [{env, [{scripted, true}] } | Props]}].\n",
    );
    tree.write("apps/scripted/src/scripted.erl", "-module(scripted).\n");
    let generated = tree.path("generated");
    tree.write("generated/scripted_gen.erl", "-module(scripted_gen).\n-export([f/0]).\nf() -> generated.\n");
    let compiled = tree.build().extra_src_dir("scripted", &generated).compile().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(compiled.modules_compiled, 4);
    let app = |name: &str| std::fs::read_to_string(tree.path(&format!("out/apps/{name}/ebin/{name}.app"))).unwrap();
    assert!(app("plain").contains("{modules, [plain_a, plain_b]}"), "{}", app("plain"));
    let scripted = app("scripted");
    assert!(scripted.contains("{env, [{scripted, true}]}"), "{scripted}");
    assert!(scripted.contains("{modules, [scripted, scripted_gen]}"), "{scripted}");
    assert_eq!(tree.eval("application:load(scripted), application:get_env(scripted, scripted)"), "{ok,true}");
    assert_eq!(tree.eval("scripted_gen:f()"), "generated");
}

#[test]
fn a_version_that_is_not_a_string_needs_the_callers_and_the_error_names_the_file() {
    let tree = Tree::new();
    tree.write("apps/gitvsn/src/gitvsn.app.src", "{application, gitvsn, [{vsn, git}]}.\n");
    tree.write("apps/gitvsn/src/gitvsn.erl", "-module(gitvsn).\n");
    let err = tree.build().compile().unwrap_err().to_string();
    assert!(err.contains("gitvsn.app.src: the version is git, not a string"), "{err}");
    assert!(err.contains("Build::app_vsn(\"gitvsn\""), "{err}");
    let misspelt = tree.build().app_vsn("gitvns", "0.8.0").compile().unwrap_err().to_string();
    assert_eq!(misspelt, "app_vsn names `gitvns`, which is no application of the lib dirs");
    tree.build().app_vsn("gitvsn", "0.8.0").compile().unwrap_or_else(|e| panic!("{e}"));
    let app = std::fs::read_to_string(tree.path("out/apps/gitvsn/ebin/gitvsn.app")).unwrap();
    assert!(app.contains("{vsn, \"0.8.0\"}"), "{app}");
}

#[test]
fn a_patched_copy_replaces_its_original_and_generated_headers_serve_include_lib() {
    let tree = Tree::new();
    tree.write("deps/keys/src/crypto/keys.hrl", "-define(BITS, 2048).\n");
    tree.app(
        "deps",
        "keys",
        &[("crypto/keys.erl", "-module(keys).\n-include(\"keys.hrl\").\n-export([bits/0]).\nbits() -> ?BITS.\n")],
    );
    // The patch stands elsewhere; its include is found beside the original.
    tree.write(
        "patches/keys.erl",
        "-module(keys).\n-include(\"keys.hrl\").\n-export([bits/0]).\nbits() -> {patched, ?BITS}.\n",
    );
    tree.write("generated/include/codes.hrl", "-define(CODE, 42).\n");
    tree.app("apps", "codes", &[("codes.erl", "-module(codes).\n")]);
    tree.app(
        "apps",
        "reader",
        &[(
            "reader.erl",
            "-module(reader).\n-include_lib(\"codes/include/codes.hrl\").\n-export([code/0]).\ncode() -> ?CODE.\n",
        )],
    );
    let patched = |build: Build| {
        build
            .replace_source("keys", "src/crypto/keys.erl", tree.path("patches/keys.erl"))
            .include_dir("codes", tree.path("generated/include"))
    };
    let compiled = tree.compile_with(patched);
    assert_eq!(tree.eval("{keys:bits(), reader:code()}"), "{{patched,2048},42}");
    assert!(compiled.sources.contains(&tree.path("patches/keys.erl")), "{:?}", compiled.sources);
    tree.touch("generated/include/codes.hrl");
    assert_eq!(tree.compile_with(patched).modules_compiled, 1, "the generated header's includer");
}

const NIF_C: &str = r#"#include <erl_nif.h>
static ERL_NIF_TERM add(ErlNifEnv* env, int argc, const ERL_NIF_TERM argv[]) {
    int a, b;
    (void)argc;
    if (!enif_get_int(env, argv[0], &a) || !enif_get_int(env, argv[1], &b)) return enif_make_badarg(env);
    return enif_make_int(env, a + b);
}
static ErlNifFunc funcs[] = {{"add", 2, add, 0}};
ERL_NIF_INIT(cnif, funcs, NULL, NULL, NULL, NULL)
"#;

const NIF_CC: &str = r#"#include <erl_nif.h>
#include <string>
#include <algorithm>
static ERL_NIF_TERM reverse(ErlNifEnv* env, int, const ERL_NIF_TERM argv[]) {
    ErlNifBinary in;
    if (!enif_inspect_binary(env, argv[0], &in)) return enif_make_badarg(env);
    std::string text(reinterpret_cast<char*>(in.data), in.size);
    std::reverse(text.begin(), text.end());
    ERL_NIF_TERM out;
    unsigned char* bytes = enif_make_new_binary(env, text.size(), &out);
    std::copy(text.begin(), text.end(), bytes);
    return out;
}
static ErlNifFunc funcs[] = {{"reverse", 1, reverse, 0}};
ERL_NIF_INIT(cppnif, funcs, NULL, NULL, NULL, NULL)
"#;

/// A port driver that does nothing but open.
const PORT_DRIVER_C: &str = r#"#include <erl_driver.h>
static ErlDrvData start(ErlDrvPort port, char *command) { (void)command; return (ErlDrvData)port; }
static ErlDrvEntry entry = {
    .driver_name = "legacy_drv", .start = start, .extended_marker = ERL_DRV_EXTENDED_MARKER,
    .major_version = ERL_DRV_EXTENDED_MAJOR_VERSION, .minor_version = ERL_DRV_EXTENDED_MINOR_VERSION,
};
DRIVER_INIT(legacy_drv) { return &entry; }
"#;

fn nif_module(name: &str, function: &str) -> String {
    format!(
        "-module({name}).\n-export([{function}]).\n-on_load(init/0).\n\
         init() -> erlang:load_nif(filename:join(code:priv_dir({name}), \"{name}\"), 0).\n"
    )
}

#[test]
fn nifs_in_c_and_cpp_and_a_port_driver_are_built_into_priv_and_load_in_a_real_vm() {
    let tree = Tree::new();
    // erlang.mk's convention: c_src/*.c into priv/<app>.so.
    tree.app(
        "deps",
        "cnif",
        &[("cnif.erl", &(nif_module("cnif", "add/2") + "add(_, _) -> erlang:nif_error(not_loaded).\n"))],
    );
    tree.write("deps/cnif/c_src/cnif.c", NIF_C);
    tree.write("deps/cnif/priv/data.txt", "kept\n");
    // rebar2's port_specs and port_env.
    tree.app(
        "deps",
        "cppnif",
        &[("cppnif.erl", &(nif_module("cppnif", "reverse/1") + "reverse(_) -> erlang:nif_error(not_loaded).\n"))],
    );
    tree.write("deps/cppnif/c_src/cppnif.cc", NIF_CC);
    tree.write(
        "deps/cppnif/rebar.config",
        "{port_specs, [{\"priv/cppnif.so\", [\"c_src/*.cc\"]}]}.\n\
         {port_env, [{\"(linux|darwin)\", \"CXXFLAGS\", \"$CXXFLAGS -std=c++11 -Werror\"}, {\"LDFLAGS\", \"$LDFLAGS -lstdc++\"}]}.\n",
    );
    // A rebar project without port_specs: the port compiler's c_src/*.c into priv/<app>_drv.so.
    tree.app("deps", "legacy", &[("legacy.erl", "-module(legacy).\n")]);
    tree.write("deps/legacy/rebar.config", "{erl_opts, [debug_info]}.\n");
    tree.write("deps/legacy/c_src/legacy_drv.c", PORT_DRIVER_C);
    tree.compile();
    assert_eq!(tree.eval("{cnif:add(2, 3), cppnif:reverse(<<\"abc\">>)}"), "{5,<<\"cba\">>}");
    let port = "ok = erl_ddll:load_driver(code:priv_dir(legacy), \"legacy_drv\"), is_port(open_port({spawn, \"legacy_drv\"}, []))";
    assert_eq!(tree.eval(port), "true");
    // The application's own priv/ entries are there beside the built ones.
    assert_eq!(std::fs::read_to_string(tree.path("out/deps/cnif/priv/data.txt")).unwrap(), "kept\n");
}

#[test]
fn a_module_that_does_not_compile_is_named_with_every_error_and_the_others_still_compile() {
    let tree = Tree::new();
    tree.app(
        "apps",
        "broken",
        &[
            ("a_good.erl", "-module(a_good).\n-export([f/0]).\nf() -> ok.\n"),
            ("b_bad.erl", "-module(b_bad).\n-export([f/0]).\nf() -> X.\ng() -> ok\n"),
            ("c_good.erl", "-module(c_good).\n"),
            ("d_needs_bad.erl", "-module(d_needs_bad).\n-behaviour(b_bad).\n"),
        ],
    );
    let err = tree.build().compile().unwrap_err();
    let message = err.to_string();
    let bad = tree.path("apps/broken/src/b_bad.erl");
    assert!(matches!(err, ErlcError::Modules(_)), "{message}");
    assert!(message.starts_with("1 Erlang module did not compile; 2 other modules compiled"), "{message}");
    assert!(message.contains(&format!("{}:4:8: syntax error before: ", bad.display())), "{message}");
    assert!(message.contains(&format!("{}:3:8: variable 'X' is unbound", bad.display())), "{message}");
    assert!(
        message.contains("1 module not compiled, as they need a module above: d_needs_bad (needs b_bad)"),
        "{message}"
    );
    assert!(tree.path("out/apps/broken/ebin/a_good.beam").is_file());
    assert!(tree.path("out/apps/broken/ebin/c_good.beam").is_file());
    // Warnings are not errors: a module with an unused function compiles, and says so.
    tree.write("apps/broken/src/b_bad.erl", "-module(b_bad).\n-export([f/0]).\nf() -> ok.\ng() -> ok.\n");
    let compiled = tree.compile();
    assert_eq!((compiled.modules_compiled, compiled.modules_up_to_date), (2, 2));
    let unused =
        |warnings: &[String]| warnings.iter().any(|w| w.ends_with("b_bad.erl:4:1: Warning: function g/0 is unused"));
    assert!(unused(&compiled.warnings), "{:?}", compiled.warnings);
    // A rebuild that compiles nothing still reports them, and its warnings.log keeps them.
    let again = tree.compile();
    assert_eq!(again.modules_compiled, 0);
    assert!(unused(&again.warnings), "{:?}", again.warnings);
    assert!(std::fs::read_to_string(tree.path("out/warnings.log")).unwrap().contains("function g/0 is unused"));
}

#[test]
fn a_rebuild_compiles_only_what_an_edit_touches() {
    let tree = Tree::new();
    tree.write("apps/inc/include/shared.hrl", "-define(VALUE, 1).\n");
    tree.write("apps/inc/src/local.hrl", "-include(\"shared.hrl\").\n");
    tree.app(
        "apps",
        "inc",
        &[
            ("inc_direct.erl", "-module(inc_direct).\n-include(\"shared.hrl\").\n-export([v/0]).\nv() -> ?VALUE.\n"),
            ("inc_nested.erl", "-module(inc_nested).\n-include(\"local.hrl\").\n-export([v/0]).\nv() -> ?VALUE.\n"),
            ("inc_none.erl", "-module(inc_none).\n"),
        ],
    );
    tree.app("deps", "pt", &[("z_transform.erl", TRANSFORM), ("pt_other.erl", "-module(pt_other).\n")]);
    tree.app("apps", "uses_pt", &[("uses.erl", "-module(uses).\n-compile({parse_transform, z_transform}).\n")]);
    assert_eq!(tree.compile().modules_compiled, 6);
    let again = tree.compile();
    assert_eq!((again.modules_compiled, again.modules_up_to_date), (0, 6));

    tree.touch("apps/inc/include/shared.hrl");
    assert_eq!(tree.compile().modules_compiled, 2, "the header's two includers");
    tree.touch("apps/inc/src/local.hrl");
    assert_eq!(tree.compile().modules_compiled, 1, "the nested header's includer");
    tree.write("apps/inc/src/inc_none.erl", "-module(inc_none).\n-export([x/0]).\nx() -> 1.\n");
    assert_eq!(tree.compile().modules_compiled, 1, "the edited module alone");
    tree.touch("deps/pt/src/z_transform.erl");
    assert_eq!(tree.compile().modules_compiled, 2, "the transform and its user");
    let changed_options = tree.build().app_options("inc", ["-DOTHER"]).compile().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changed_options.modules_compiled, 3, "the application whose options changed");
    std::fs::remove_file(tree.path("apps/inc/src/inc_none.erl")).unwrap();
    tree.build().app_options("inc", ["-DOTHER"]).compile().unwrap_or_else(|e| panic!("{e}"));
    assert!(!tree.path("out/apps/inc/ebin/inc_none.beam").exists(), "a deleted module's beam goes");
}

/// Every path under `dir` with its size and mtime.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            all.extend(snapshot(&path));
        }
        all.push((path, meta.len(), meta.modified().unwrap()));
    }
    all.sort();
    all
}

fn set_read_only(dir: &Path, read_only: bool) {
    use std::os::unix::fs::PermissionsExt;
    for (path, _, _) in snapshot(dir).into_iter().chain([(dir.to_owned(), 0, std::time::SystemTime::UNIX_EPOCH)]) {
        let meta = std::fs::metadata(&path).unwrap();
        let mode = meta.permissions().mode();
        let mode = if read_only { mode & !0o222 } else { mode | 0o200 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[test]
fn a_read_only_source_tree_is_compiled_without_a_write_to_it() {
    let sources = Tree::new();
    sources.write("deps/lib_a/include/a.hrl", "-define(A, a).\n");
    sources.app(
        "deps",
        "lib_a",
        &[("lib_a.erl", "-module(lib_a).\n-include(\"a.hrl\").\n-export([a/0]).\na() -> ?A.\n")],
    );
    sources.write("deps/lib_a/c_src/lib_a_nif.c", "int lib_a_unused(void) { return 0; }\n");
    sources.write("deps/lib_a/priv/static.txt", "static\n");
    sources.write("apps/app_b/src/app_b.app.src", "{application, app_b, [{vsn, \"1\"}]}.\n");
    sources.write("apps/app_b/src/app_b.app.src.script", "CONFIG.\n");
    sources.write("apps/app_b/src/app_b.erl", "-module(app_b).\n");
    sources.write("apps/app_b/rebar.config", "{erl_opts, [debug_info]}.\n");
    set_read_only(sources.dir.path(), true);
    let before = snapshot(sources.dir.path());
    let out = tempfile::tempdir().unwrap();
    let compiled = Build::new()
        .lib_dir(sources.path("apps"))
        .lib_dir(sources.path("deps"))
        .out_dir(out.path())
        .compile()
        .unwrap_or_else(|e| panic!("{e}"));
    // Root writes through missing write bits: the snapshot shows that nothing was written.
    assert_eq!(snapshot(sources.dir.path()), before);
    set_read_only(sources.dir.path(), false);
    assert_eq!(compiled.modules_compiled, 2);
    assert!(out.path().join("deps/lib_a/priv/lib_a.so").is_file());
    assert!(out.path().join("deps/lib_a/priv/static.txt").is_file());
    assert!(out.path().join("deps/lib_a/include/a.hrl").is_file());
    assert_eq!(
        compiled.sources,
        [sources.path("apps"), sources.path("deps")],
        "the folders to watch for rerun-if-changed"
    );
}
