//! The source files Kazoo's Makefiles generate before they compile, made here as those
//! recipes make them (each function names the Makefile it follows), from the inputs in the
//! Kazoo tree. Sorting is by bytes, as the recipes' `sort` does in the C locale.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// A generated file: where it goes (relative to the Kazoo tree) and what it holds.
pub type Generated = (PathBuf, String);

#[derive(Debug)]
pub struct GenerateError(pub String);

impl std::fmt::Display for GenerateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn read(path: &Path) -> Result<String, GenerateError> {
    std::fs::read_to_string(path).map_err(|e| GenerateError(format!("{}: {e}", path.display())))
}

/// The first of `candidates` that exists, else an error saying where to put it.
fn input(candidates: &[PathBuf], what: &str) -> Result<PathBuf, GenerateError> {
    candidates.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        GenerateError(format!(
            "{what} is needed to build Kazoo and was not found at {}; Kazoo's Makefile downloads it (see its URL there)",
            candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" or ")
        ))
    })
}

/// core/kazoo_documents/Makefile: every `src/*.erl.src` is copied to `src/*.erl` where there
/// is none (`cp -n`: an `.erl` kept in the tree, edited by hand, wins).
pub fn kazoo_documents(kazoo: &Path) -> Result<Vec<Generated>, GenerateError> {
    let src = Path::new("core/kazoo_documents/src");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(kazoo.join(src)).map_err(|e| GenerateError(format!("{}: {e}", src.display())))? {
        let name = entry.map_err(|e| GenerateError(e.to_string()))?.file_name().to_string_lossy().into_owned();
        let module = name.strip_suffix(".erl.src");
        if let Some(module) = module.filter(|m| !kazoo.join(src).join(format!("{m}.erl")).exists()) {
            out.push((src.join(format!("{module}.erl")), read(&kazoo.join(src).join(&name))?));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Country {
    cca2: String,
    cca3: String,
    #[serde(rename = "callingCode")]
    calling_code: Vec<String>,
}

/// core/kazoo_numbers/Makefile: `knm_iso3166a2_itu.erl` and `knm_iso3166_util.erl`, their
/// `.erl.src` followed by one clause per country of dialcodes.json with a calling code.
pub fn kazoo_numbers(kazoo: &Path) -> Result<Vec<Generated>, GenerateError> {
    let json = input(
        &[kazoo.join("core/kazoo_numbers/dialcodes.json"), kazoo.join("build-inputs/kazoo_numbers/dialcodes.json")],
        "dialcodes.json (mledoze/countries' countries.json)",
    )?;
    let mut countries: Vec<Country> = serde_json::from_str(&read(&json)?)
        .map_err(|e| GenerateError(format!("{}: not the countries list Kazoo expects: {e}", json.display())))?;
    countries.retain(|c| !c.calling_code.is_empty());
    countries.sort_by(|a, b| a.cca2.cmp(&b.cca2));
    let src = Path::new("core/kazoo_numbers/src");
    let mut itu = read(&kazoo.join(src).join("knm_iso3166a2_itu.erl.src"))?;
    let mut util = read(&kazoo.join(src).join("knm_iso3166_util.erl.src"))?;
    for Country { cca2, cca3, calling_code } in &countries {
        let code = &calling_code[0];
        itu += &format!("to_itu(<<\"{cca2}\">>) -> <<\"+{code}\">>;\n");
        util += &format!(
            "country(<<\"{cca2}\">>) -> country(<<\"{cca3}\">>);\n\
             country(<<\"{cca3}\">>) -> #{{a2 =>  <<\"{cca2}\">>, a3 => <<\"{cca3}\">>, itu => <<\"+{code}\">>}};\n"
        );
    }
    itu += "to_itu(_) -> <<>>.\n";
    util += "country(_) -> {error, invalid_country}.\n";
    Ok(vec![(src.join("knm_iso3166a2_itu.erl"), itu), (src.join("knm_iso3166_util.erl"), util)])
}

/// core/kazoo_web/Makefile: `kz_mime.erl` from `kz_mime.erl.src` and Apache's mime.types,
/// split at the `%% GENERATED` line (which both halves keep, as head and tail do there).
pub fn kazoo_web(kazoo: &Path) -> Result<Vec<Generated>, GenerateError> {
    let types = input(
        &[kazoo.join("core/kazoo_web/mime.types"), kazoo.join("build-inputs/kazoo_web/mime.types")],
        "mime.types (Apache httpd's docs/conf/mime.types)",
    )?;
    let template_path = kazoo.join("core/kazoo_web/src/kz_mime.erl.src");
    let template = read(&template_path)?;
    let lines: Vec<&str> = template.lines().collect();
    let marker = lines
        .iter()
        .position(|l| l.contains("%% GENERATED"))
        .ok_or_else(|| GenerateError(format!("{}: no `%% GENERATED` line to generate at", template_path.display())))?;
    let types = read(&types)?;
    let entries: Vec<Vec<&str>> =
        types.lines().filter(|l| !l.starts_with('#')).map(|l| l.split_whitespace().collect()).collect();
    let mut out: String = lines[..=marker].iter().map(|l| format!("{l}\n")).collect();
    out += "from_extension(Ext) when not is_binary(Ext) -> from_extension(kz_term:to_lower_binary(Ext));\n";
    out += "from_extension(<<$., Ext/binary>>) -> from_extension(kz_term:to_lower_binary(Ext));\n";
    out += &from_extension_clauses(&entries);
    out += "from_extension(<<\"pem\">>) -> <<\"application/x-pem-file\">>;\n";
    out += "from_extension(_) -> <<\"application/octet-stream\">>.\n\n";
    out += "-spec to_extensions(binary()) -> [binary()].\n";
    out += "to_extensions(<<\"audio/mp3\">>) -> [<<\"mp3\">>];\n";
    out += "to_extensions(<<\"audio/wav\">>) -> [<<\"wav\">>];\n";
    out += "to_extensions(<<\"audio/x-wave\">>) -> [<<\"wav\">>];\n";
    out += "to_extensions(<<\"application/x-pem-file\">>) -> [<<\"pem\">>];\n";
    let mut to_extensions: Vec<String> = entries.iter().map(|fields| to_extensions_clause(fields)).collect();
    to_extensions.sort();
    out += &to_extensions.concat();
    out += "to_extensions(_) -> [<<>>].\n";
    out += &lines[marker..].iter().map(|l| format!("{l}\n")).collect::<String>();
    Ok(vec![(PathBuf::from("core/kazoo_web/src/kz_mime.erl"), out)])
}

/// One clause per extension, sorted and made unique by the clause head (`sort -u -k1,1`:
/// the first type listed for an extension wins).
fn from_extension_clauses(entries: &[Vec<&str>]) -> String {
    let mut clauses: Vec<(String, String)> = Vec::new();
    for fields in entries {
        for ext in fields.iter().skip(1) {
            clauses.push((format!("from_extension(<<\"{ext}\">>)"), format!(" -> <<\"{}\">>;\n", fields[0])));
        }
    }
    clauses.sort_by(|a, b| a.0.cmp(&b.0));
    clauses.dedup_by(|later, first| later.0 == first.0);
    clauses.into_iter().map(|(head, body)| head + &body).collect()
}

/// The recipe's awk program for one line of mime.types (audio/mpeg lists mp3 first).
fn to_extensions_clause(fields: &[&str]) -> String {
    let mime = fields.first().copied().unwrap_or("");
    let mut clause = format!("to_extensions(<<\"{mime}\">>) -> [");
    if mime == "audio/mpeg" {
        clause += "<<\"mp3\">>";
    }
    for (i, ext) in fields.iter().enumerate().skip(1).filter(|(_, e)| **e != "mp3") {
        // awk's fields count from 1: the type is $1, the first extension $2.
        if i + 1 >= 3 || mime == "audio/mpeg" {
            clause += ",";
        }
        clause += &format!("<<\"{ext}\">>");
    }
    clause + "];\n"
}

/// applications/teletype/priv/templates_to_header.bash: the template modules, as a macro.
pub fn teletype(kazoo: &Path) -> Result<Vec<Generated>, GenerateError> {
    let mut modules = modules_in(&kazoo.join("applications/teletype/src/templates"))?;
    modules.remove("teletype_template_skel");
    let mut hrl = String::from("-ifndef(TELETYPE_DEFAULT_MODULES).\n");
    for (i, module) in modules.iter().enumerate() {
        hrl += &match i {
            0 => format!("-define(DEFAULT_MODULES, ['{module}'\n"),
            _ => format!("                         ,'{module}'\n"),
        };
    }
    hrl += "                         ]).\n-define(TELETYPE_DEFAULT_MODULES, 'true').\n-endif.\n";
    Ok(vec![(PathBuf::from("applications/teletype/src/teletype_default_modules.hrl"), hrl)])
}

/// applications/tasks/priv/list_task_modules.py and schema_to_header.py (for rates.json).
pub fn tasks(kazoo: &Path) -> Result<Vec<Generated>, GenerateError> {
    let mut modules = modules_in(&kazoo.join("applications/tasks/src/modules"))?;
    modules.retain(|m| m != "kt_compactor_worker" && m != "kt_skel");
    let task_modules =
        header("TASK_MODULES", &[("TASKS", "               ", modules.iter().map(|m| format!("'{m}'")))]);
    let schema_path = kazoo.join("applications/crossbar/priv/couchdb/schemas/rates.json");
    let schema: serde_json::Value = serde_json::from_str(&read(&schema_path)?)
        .map_err(|e| GenerateError(format!("{}: {e}", schema_path.display())))?;
    let keys: BTreeSet<&str> =
        schema["properties"].as_object().into_iter().flatten().map(|(k, _)| k.as_str()).collect();
    let required = schema["required"].as_array().into_iter().flatten().filter_map(|v| v.as_str());
    let rates = header(
        "KT_RATES",
        &[
            (
                "DOC_FIELDS",
                "                    ",
                keys.iter().map(|k| format!("<<\"{k}\">>")).collect::<Vec<_>>().into_iter(),
            ),
            (
                "MANDATORY_FIELDS",
                "                          ",
                required.map(|k| format!("<<\"{k}\">>")).collect::<Vec<_>>().into_iter(),
            ),
        ],
    );
    Ok(vec![
        (PathBuf::from("applications/tasks/src/task_modules.hrl"), task_modules),
        (PathBuf::from("applications/tasks/src/modules/kt_rates.hrl"), rates),
    ])
}

/// A header guarded by `<NAME>_HRL` defining each macro as a list, one element a line.
fn header(name: &str, macros: &[(&str, &str, impl Iterator<Item = String> + Clone)]) -> String {
    let mut hrl = format!("-ifndef({name}_HRL).\n-define({name}_HRL, 'true').\n\n");
    for (macro_name, indent, elements) in macros {
        for (i, element) in elements.clone().enumerate() {
            hrl += &match i {
                0 => format!("-define({macro_name}, [{element}\n"),
                _ => format!("{indent},{element}\n"),
            };
        }
        hrl += &format!("{indent}]).\n\n");
    }
    hrl + "-endif.\n"
}

/// The modules of the `.erl` files directly in `dir`, sorted.
fn modules_in(dir: &Path) -> Result<BTreeSet<String>, GenerateError> {
    let listing = std::fs::read_dir(dir).map_err(|e| GenerateError(format!("{}: {e}", dir.display())))?;
    Ok(listing.filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".erl").map(str::to_owned)).collect())
}

/// deps/rabbit_common/development.post.mk: the AMQP framing header and modules, by
/// rabbit_common's own generator (Python, with deps/rabbitmq_codegen's specs), into `scratch`.
pub fn rabbit_common(kazoo: &Path, scratch: &Path) -> Result<Vec<Generated>, GenerateError> {
    let (common, codegen) = (kazoo.join("deps/rabbit_common"), kazoo.join("deps/rabbitmq_codegen"));
    let spec = |name: &str| codegen.join(name);
    let (v091, credit, v08) =
        (spec("amqp-rabbitmq-0.9.1.json"), spec("credit_extension.json"), spec("amqp-rabbitmq-0.8.json"));
    let jobs: [(&str, Vec<&str>, Vec<&Path>); 3] = [
        ("include/rabbit_framing.hrl", vec!["--ignore-conflicts", "header"], vec![&v091, &credit, &v08]),
        ("src/rabbit_framing_amqp_0_9_1.erl", vec!["body"], vec![&v091, &credit]),
        ("src/rabbit_framing_amqp_0_8.erl", vec!["body"], vec![&v08]),
    ];
    std::fs::create_dir_all(scratch).map_err(|e| GenerateError(format!("{}: {e}", scratch.display())))?;
    let mut out = Vec::new();
    for (target, args, specs) in jobs {
        let file = scratch.join(Path::new(target).file_name().unwrap_or_default());
        let status = Command::new("python3")
            .env("PYTHONPATH", &codegen)
            .arg(common.join("codegen.py"))
            .args(args)
            .args(specs)
            .arg(&file)
            .status()
            .map_err(|e| {
                GenerateError(format!("python3 (rabbit_common's codegen.py needs it; apt-get install python3): {e}"))
            })?;
        if !status.success() {
            return Err(GenerateError(format!(
                "{} failed ({status}) making {target}",
                common.join("codegen.py").display()
            )));
        }
        out.push((Path::new("deps/rabbit_common").join(target), read(&file)?));
    }
    Ok(out)
}

/// The `.app.src` erlang.mk writes for a project that has none (amqp_client and rabbit_common
/// keep theirs in their Makefile): description, start module, registered names, environment
/// and applications (`LOCAL_DEPS` and `DEPS`) read from its Makefile, the version given (the
/// one Kazoo's make/deps.mk pins; erlang.mk asks git, which a source copy does not have).
pub fn erlang_mk_app_src(kazoo: &Path, app: &str, vsn: &str) -> Result<Generated, GenerateError> {
    let makefile_path = kazoo.join("deps").join(app).join("Makefile");
    let makefile = read(&makefile_path)?;
    let var =
        |name: &str| makefile.lines().find_map(|l| l.strip_prefix(name)?.trim_start().strip_prefix('=').map(str::trim));
    let block = |name: &str| {
        let start = makefile.find(&format!("define {name}\n"))? + "define \n".len() + name.len();
        makefile[start..].find("endef").map(|end| makefile[start..start + end].trim().to_owned())
    };
    let words = |name: &str| var(name).unwrap_or("").split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let description = var("PROJECT_DESCRIPTION").ok_or_else(|| {
        GenerateError(format!("{}: no PROJECT_DESCRIPTION to write {app}.app.src from", makefile_path.display()))
    })?;
    let applications =
        ["kernel".to_owned(), "stdlib".to_owned()].into_iter().chain(words("LOCAL_DEPS")).chain(words("DEPS"));
    let mut text = format!(
        "%% Written by the Kazoo example's build from {app}'s Makefile, as erlang.mk writes it.\n\
         {{application, '{app}', [\n  {{description, \"{description}\"}},\n  {{vsn, \"{vsn}\"}},\n  {{modules, []}},\n  \
         {{registered, [{}]}},\n  {{applications, [{}]}},\n  {{env, {}}}",
        words("PROJECT_REGISTERED").join(", "),
        applications.collect::<Vec<_>>().join(", "),
        block("PROJECT_ENV").unwrap_or_else(|| "[]".into()),
    );
    if let Some(module) = var("PROJECT_MOD") {
        text += &format!(",\n  {{mod, {{'{module}', []}}}}");
    }
    text += "\n]}.\n";
    Ok((Path::new("deps").join(app).join("src").join(format!("{app}.app.src")), text))
}

/// The version make/deps.mk pins `dep` at (`dep_<name> = git <url> v3.7.14`), without the v.
pub fn pinned_version(kazoo: &Path, dep: &str) -> Result<String, GenerateError> {
    let deps_mk = kazoo.join("make/deps.mk");
    let text = read(&deps_mk)?;
    let prefix = format!("dep_{dep} ");
    text.lines()
        .filter(|l| l.starts_with(&prefix))
        .find_map(|l| l.split_whitespace().last())
        .map(|tag| tag.trim_start_matches('v').to_owned())
        .ok_or_else(|| {
            GenerateError(format!("{}: no `dep_{dep} = ...` line pinning {dep}'s version", deps_mk.display()))
        })
}

/// The parsers and lexers of `grammars` (`.yrl` and `.xrl` files, by their path in the tree,
/// with their text), made by OTP's yecc and leex in one `erl` run in `scratch`, as erlang.mk
/// and rebar3 make them before compiling; each goes beside its grammar as `.erl`.
pub fn parsers(grammars: &[(PathBuf, Vec<u8>)], scratch: &Path) -> Result<Vec<Generated>, GenerateError> {
    std::fs::create_dir_all(scratch).map_err(|e| GenerateError(format!("{}: {e}", scratch.display())))?;
    let mut calls = Vec::new();
    for (path, text) in grammars {
        let file = scratch.join(path.file_name().unwrap_or_default());
        std::fs::write(&file, text).map_err(|e| GenerateError(format!("{}: {e}", file.display())))?;
        let (tool, option) = match path.extension().is_some_and(|e| e == "xrl") {
            true => ("leex", "scannerfile"),
            false => ("yecc", "parserfile"),
        };
        calls.push(format!(
            "{{ok, _}} = {tool}:file({file:?}, [{{{option}, {:?}}}, return_errors])",
            file.with_extension("erl")
        ));
    }
    let eval = format!("{}, halt().", calls.join(", "));
    let output = Command::new("erl")
        .args(["-noshell", "-noinput", "-boot", "start_clean", "-eval", &eval])
        .current_dir(scratch)
        .env("ERL_CRASH_DUMP", scratch.join("erl_crash.dump"))
        .output()
        .map_err(|e| GenerateError(format!("erl (yecc and leex make the parsers): {e}")))?;
    if !output.status.success() {
        return Err(GenerateError(format!("yecc/leex failed: {}", String::from_utf8_lossy(&output.stdout))));
    }
    grammars
        .iter()
        .map(|(path, _)| {
            let made = scratch.join(path.file_name().unwrap_or_default()).with_extension("erl");
            Ok((path.with_extension("erl"), read(&made)?))
        })
        .collect()
}
