//! vm.args as `erl` reads it, checked line by line: the one checker of the build step (the
//! rendered vm.args, the spec's `raw` lines) and of a node's start (the operator's
//! `<config dir>/core/<node>.vm.args`).
//!
//! Words are split as erlexec's args-file reader splits them (as OTP 25's `erl -args_file`
//! was seen to): white space separates words; `'...'` or `"..."` quote a value with spaces
//! (`-sasl sasl_error_logger '{file, "log/error_log.sasl"}'`), taken as it is between the
//! quotes; outside quotes `\` makes the next character literal and `#` starts a comment.
//! Each line holds one flag and its values, as vm.args files are written; a quote closes on
//! its own line.
//!
//! What is checked: every line starts with a flag; the flags the node's start sets itself
//! (cookie, name, boot script, sys.config) are refused; `-env` takes a name and a value;
//! `-kernel`, `-sasl` and `-stdlib` take Key Value pairs whose values are Erlang terms;
//! `-s M`/`-run M` name a module of the node type's applications (when they are known);
//! emulator flags (`+...`) are ones `erl` knows, with their values in the ranges erl's manual
//! (erts `erl_cmd`) documents.

use std::collections::BTreeSet;

use crate::term;

/// One word of a vm.args line, as erlexec passes it on, and the column where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub column: usize,
}

/// What is wrong with one line of a vm.args file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The modules a node type's applications hold, for `-s M` and `-run M`.
#[derive(Debug, Clone, Default)]
pub struct Modules {
    pub node: String,
    pub apps: Vec<String>,
    pub modules: BTreeSet<String>,
}

impl Modules {
    /// The modules of node type `node`, from its applications' names and module lists.
    pub fn new<'a>(node: &str, apps: impl IntoIterator<Item = (&'a str, &'a [String])>) -> Modules {
        let mut modules = Modules { node: node.to_owned(), ..Modules::default() };
        for (app, names) in apps {
            modules.apps.push(app.to_owned());
            modules.modules.extend(names.iter().cloned());
        }
        modules
    }
}

/// Flags the node's start sets itself: in vm.args they would fight it (and a cookie there
/// would reach the VM's command line). Each with what to do instead.
const FLAGS_SET_AT_START: [(&str, &str); 6] = [
    ("-setcookie", "a cookie in vm.args would reach the VM's command line and fight the cookie the node starts with; remove the line and give the cookie through the release's cookie sources (--cookie, the release's COOKIE variable, its cookie file or config)"),
    ("-name", "the node name is given when the node starts (NODE or --name); remove the line"),
    ("-sname", "the node name is given when the node starts (NODE or --name, with --sname for a short name); remove the line"),
    ("-boot", "the node boots its release's own boot script (releases/<vsn>/<node>.boot); remove the line"),
    ("-config", "the node's sys.config is the release's, or the operator's override in <config dir>/core/<node>.sys.config; remove the line and put the configuration there"),
    ("-args_file", "vm.args cannot include another file; copy its lines here instead"),
];

/// The words of one line (without its line break), split as erlexec splits them, or the
/// column and message of a quote that does not close on the line.
pub fn split_line(line: &str) -> Result<Vec<Word>, (usize, String)> {
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    let mut quote: Option<(char, usize)> = None;
    let mut chars = line.chars().enumerate().map(|(i, c)| (c, i + 1));
    while let Some((c, column)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            words.extend(current.take());
            continue;
        }
        if quote.is_none() && c == '#' {
            break;
        }
        let word = current.get_or_insert_with(|| Word { text: String::new(), column });
        match (quote, c) {
            (Some((q, _)), c) if c == q => quote = None,
            (Some(_), c) => word.text.push(c),
            (None, '\'' | '"') => quote = Some((c, column)),
            (None, '\\') => word.text.extend(chars.next().map(|(c, _)| c)),
            (None, c) => word.text.push(c),
        }
    }
    if let Some((q, column)) = quote {
        return Err((column, format!("the {q} here does not close on its line (erl would take the rest of the file into this value): close it before the line ends")));
    }
    words.extend(current);
    Ok(words)
}

/// Checks a whole vm.args text; the first problem, with its line.
pub fn check(text: &str, modules: Option<&Modules>) -> Result<(), LineError> {
    for (index, line) in text.lines().enumerate() {
        check_line(line, modules).map_err(|(column, message)| LineError { line: index + 1, column, message })?;
    }
    Ok(())
}

/// One line: empty, a comment, or a flag with its values.
pub fn check_line(line: &str, modules: Option<&Modules>) -> Result<(), (usize, String)> {
    let words = split_line(line)?;
    let Some((flag, values)) = words.split_first() else {
        return Ok(());
    };
    let name = flag.text.as_str();
    if !(name.starts_with('-') || name.starts_with('+')) || name.len() < 2 {
        return Err((flag.column, format!("`{name}` is not a flag: vm.args lines start with `-` or `+`")));
    }
    if let Some((_, why)) = FLAGS_SET_AT_START.iter().find(|(f, _)| *f == name) {
        return Err((flag.column, format!("`{name}` does not belong in vm.args: {why}")));
    }
    match name {
        "-env" if values.len() != 2 => {
            Err((flag.column, format!("`-env` takes a variable name and a value, found {} word(s)", values.len())))
        }
        "-kernel" | "-sasl" | "-stdlib" => app_params(flag, values),
        "-s" | "-run" => start_module(flag, values, modules),
        _ if name.starts_with('+') => emulator_flag(flag, values),
        _ => Ok(()),
    }
}

/// `-App Key Value ...`: pairs whose values are Erlang terms.
fn app_params(flag: &Word, values: &[Word]) -> Result<(), (usize, String)> {
    if values.is_empty() || values.len() % 2 != 0 {
        return Err((flag.column, format!("`{}` takes Key Value pairs, found {} word(s) after it (quote a value that holds spaces: '{{file, \"log\"}}')", flag.text, values.len())));
    }
    for pair in values.chunks(2) {
        term::parse_str(&format!("{}.", pair[1].text), "vm.args").map_err(|e| {
            (pair[1].column, format!("the value of `{}` is not an Erlang term: {}", pair[0].text, e.message))
        })?;
    }
    Ok(())
}

/// `-s Module [Function [Args]]`, `-run Module [Function [Args]]`.
fn start_module(flag: &Word, values: &[Word], modules: Option<&Modules>) -> Result<(), (usize, String)> {
    let Some(module) = values.first() else {
        return Err((flag.column, format!("`{}` needs a module: `{} Module [Function [Args]]`", flag.text, flag.text)));
    };
    match modules {
        Some(known) if !known.modules.contains(&module.text) => Err((
            module.column,
            format!(
                "`{} {}`: no application of node type {} holds module `{}` (its applications: {}); remove the line, or give it only to the node type that carries the module",
                flag.text,
                module.text,
                known.node,
                module.text,
                known.apps.join(", ")
            ),
        )),
        _ => Ok(()),
    }
}

/// What an emulator flag's value must be.
#[derive(Debug, Clone, Copy)]
enum Value {
    /// The flag stands alone.
    Nothing,
    /// Anything (or nothing): not checked here.
    Any,
    /// An integer in the range.
    Int(i64, i64),
    /// An integer in the range, or `infinity`.
    IntOrInfinity(i64, i64),
    /// `true` or `false`.
    Bool,
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// `N`, `N:M` or `:M`, each in the range (`+S`, `+SDcpu`, ...).
    Pair(i64, i64),
}

const BUSY_WAIT: &[&str] = &["none", "very_short", "short", "medium", "long", "very_long"];
const WAKEUP: &[&str] = &["very_low", "low", "medium", "high", "very_high"];
const BIND_TYPES: &[&str] = &["u", "ns", "ts", "ps", "s", "nnts", "nnps", "tnnps", "db"];
const MAX_PROCESSES: i64 = 134_217_727;

/// Emulator flags from the erts `erl` manual (OTP 24 to 27), with their values. The list of
/// names is the derive macro's (kazoo-release-macros/src/erlang.rs `EMULATOR_FLAGS`); a test
/// keeps the two alike.
const EMULATOR_FLAGS: &[(&str, Value, &str)] = &[
    ("+a", Value::Int(16, 8192), "async thread stack size, kilowords"),
    ("+A", Value::Int(0, 1024), "async thread pool size"),
    ("+B", Value::Any, "break handling"),
    ("+Bc", Value::Nothing, "break handling"),
    ("+Bd", Value::Nothing, "break handling"),
    ("+Bi", Value::Nothing, "break handling"),
    ("+c", Value::Any, "time correction"),
    ("+C", Value::OneOf(&["no_time_warp", "single_time_warp", "multi_time_warp"]), "time warp mode"),
    ("+d", Value::Nothing, "core dump only"),
    ("+dcg", Value::Int(1, i64::MAX), "decentralized counter groups limit"),
    ("+e", Value::Int(1, i64::MAX), "maximum number of ETS tables"),
    ("+ec", Value::Nothing, "compressed ETS tables"),
    ("+fnl", Value::Nothing, "file name encoding"),
    ("+fnu", Value::Nothing, "file name encoding"),
    ("+fnuw", Value::Nothing, "file name encoding"),
    ("+fnui", Value::Nothing, "file name encoding"),
    ("+fnue", Value::Nothing, "file name encoding"),
    ("+fna", Value::Nothing, "file name encoding"),
    ("+fnaw", Value::Nothing, "file name encoding"),
    ("+fnai", Value::Nothing, "file name encoding"),
    ("+fnae", Value::Nothing, "file name encoding"),
    ("+fne", Value::Nothing, "file name encoding"),
    ("+hms", Value::Int(0, i64::MAX), "default heap size, words"),
    ("+hmbs", Value::Int(0, i64::MAX), "default binary virtual heap size, words"),
    ("+hmax", Value::Int(0, i64::MAX), "default maximum heap size, words"),
    ("+hmaxel", Value::Bool, "error logger report at the maximum heap size"),
    ("+hmaxk", Value::Bool, "kill at the maximum heap size"),
    ("+hmaxib", Value::Bool, "off-heap binaries in the maximum heap size"),
    ("+hpds", Value::Int(0, i64::MAX), "initial process dictionary size"),
    ("+hmqd", Value::OneOf(&["off_heap", "on_heap"]), "message queue data"),
    ("+IOp", Value::Int(1, 1024), "IO poll sets"),
    ("+IOt", Value::Int(1, 1024), "IO poll threads"),
    ("+IOPp", Value::Int(1, 100), "IO poll sets, percent of poll threads"),
    ("+IOPt", Value::Int(1, 100), "IO poll threads, percent of schedulers"),
    ("+IOs", Value::Bool, "scheduler thread poll optimization"),
    ("+JPperf", Value::Any, "perf support"),
    ("+JPcover", Value::Any, "coverage support"),
    ("+JMsingle", Value::Bool, "single-mapped JIT memory"),
    ("+JDdump", Value::Bool, "JIT dump"),
    ("+K", Value::Bool, "kernel poll"),
    ("+l", Value::Nothing, "loading information"),
    ("+L", Value::Nothing, "no source file names and lines"),
    ("+pad", Value::Bool, "default async_dist"),
    ("+pc", Value::OneOf(&["latin1", "unicode"]), "printable character range"),
    ("+P", Value::Int(1024, MAX_PROCESSES), "maximum number of processes"),
    ("+Q", Value::Int(1024, MAX_PROCESSES), "maximum number of ports"),
    ("+R", Value::Any, "compatibility release"),
    ("+r", Value::Nothing, "move ETS memory blocks"),
    ("+rg", Value::Int(1, 1024), "reader groups limit"),
    ("+S", Value::Pair(-1024, 1024), "schedulers:schedulers online"),
    ("+SP", Value::Pair(1, 100), "schedulers percentage:online percentage"),
    ("+SDcpu", Value::Pair(0, 1024), "dirty CPU schedulers:online"),
    ("+SDPcpu", Value::Pair(1, 100), "dirty CPU schedulers percentage:online percentage"),
    ("+SDio", Value::Int(1, 1024), "dirty IO schedulers"),
    ("+sbt", Value::OneOf(BIND_TYPES), "scheduler bind type"),
    ("+sbwt", Value::OneOf(BUSY_WAIT), "scheduler busy wait threshold"),
    ("+sbwtdcpu", Value::OneOf(BUSY_WAIT), "dirty CPU scheduler busy wait threshold"),
    ("+sbwtdio", Value::OneOf(BUSY_WAIT), "dirty IO scheduler busy wait threshold"),
    ("+swt", Value::OneOf(WAKEUP), "scheduler wakeup threshold"),
    ("+swtdcpu", Value::OneOf(WAKEUP), "dirty CPU scheduler wakeup threshold"),
    ("+swtdio", Value::OneOf(WAKEUP), "dirty IO scheduler wakeup threshold"),
    (
        "+swct",
        Value::OneOf(&["very_eager", "eager", "medium", "lazy", "very_lazy"]),
        "scheduler wake cleanup threshold",
    ),
    ("+sws", Value::OneOf(&["default", "legacy"]), "scheduler wakeup strategy"),
    ("+sss", Value::Int(20, 8192), "scheduler thread stack size, kilowords"),
    ("+sssdcpu", Value::Int(20, 8192), "dirty CPU scheduler thread stack size, kilowords"),
    ("+sssdio", Value::Int(20, 8192), "dirty IO scheduler thread stack size, kilowords"),
    ("+spp", Value::Bool, "port parallelism"),
    ("+stbt", Value::OneOf(BIND_TYPES), "scheduler bind type"),
    ("+sub", Value::Bool, "scheduler utilization balancing"),
    ("+sbtu", Value::Any, "scheduler bind type"),
    ("+scl", Value::Bool, "scheduler compaction of load"),
    ("+secio", Value::Bool, "eager check I/O scheduling"),
    ("+sct", Value::Any, "CPU topology"),
    ("+sfwi", Value::Int(0, i64::MAX), "scheduler forced wakeup interval, ms"),
    ("+ssrct", Value::Nothing, "skip reading the CPU topology"),
    ("+t", Value::Int(8193, i32::MAX as i64), "maximum number of atoms"),
    ("+T", Value::Int(0, 9), "modified timing level"),
    ("+v", Value::Nothing, "verbose"),
    ("+V", Value::Nothing, "print the version"),
    ("+W", Value::OneOf(&["w", "i", "e"]), "warning messages mapping"),
    ("+wt", Value::OneOf(WAKEUP), "wakeup threshold"),
    ("+wtdcpu", Value::OneOf(WAKEUP), "dirty CPU wakeup threshold"),
    ("+wtdio", Value::OneOf(WAKEUP), "dirty IO wakeup threshold"),
    ("+zdbbl", Value::Int(1, 2_097_151), "distribution buffer busy limit, kilobytes"),
    ("+zdntgc", Value::IntOrInfinity(0, 100_000_000), "delayed node table GC, seconds"),
    ("+zosrl", Value::Int(1, MAX_PROCESSES), "outstanding system requests limit"),
    ("+zhft", Value::IntOrInfinity(0, 2_147_483_647), "halt flush timeout, ms"),
];

/// The flag `word` names, and its value when glued to it (`+P1000000`, `+A32`): the
/// `+M...` allocator family takes anything; a glued value is digits, as the derive accepts.
fn emulator_flag_of(word: &str) -> Option<(&'static str, Value, &'static str, Option<&str>)> {
    let known = |name: &str| EMULATOR_FLAGS.iter().find(|(f, ..)| *f == name).copied();
    if let Some((name, value, what)) = known(word) {
        return Some((name, value, what, None));
    }
    if word.starts_with("+M") && word.len() > 2 {
        return Some(("+M", Value::Any, "memory allocator flag", None));
    }
    let unglued = word.trim_end_matches(|c: char| c.is_ascii_digit());
    match known(unglued) {
        Some((name, value, what)) if unglued.len() < word.len() => {
            Some((name, value, what, Some(&word[unglued.len()..])))
        }
        _ => None,
    }
}

/// `+Flag [Value]`: a flag erl knows, with a value it takes.
fn emulator_flag(flag: &Word, values: &[Word]) -> Result<(), (usize, String)> {
    let Some((name, kind, what, glued)) = emulator_flag_of(&flag.text) else {
        return Err((
            flag.column,
            format!("unknown emulator flag `{}` (see \"Emulator Flags\" in the erts `erl` manual)", flag.text),
        ));
    };
    let (value, column, extra) = match glued {
        Some(glued) => (Some(glued), flag.column, values),
        None => (
            values.first().map(|w| w.text.as_str()),
            values.first().map_or(flag.column, |w| w.column),
            values.get(1..).unwrap_or_default(),
        ),
    };
    let accepted = match kind {
        Value::Any => return Ok(()),
        Value::Nothing => {
            return match values.first() {
                Some(word) => Err((word.column, format!("`{name}` ({what}) takes no value, found `{}`", word.text))),
                None => Ok(()),
            }
        }
        Value::Int(min, max) => format!("an integer in {min}..={max}"),
        Value::IntOrInfinity(min, max) => format!("an integer in {min}..={max} or `infinity`"),
        Value::Bool => "`true` or `false`".to_owned(),
        Value::OneOf(words) => format!("one of {}", words.join(", ")),
        Value::Pair(min, max) => format!("`N`, `N:M` or `:M`, each an integer in {min}..={max}"),
    };
    let Some(value) = value else {
        return Err((flag.column, format!("`{name}` ({what}) needs a value: {accepted}")));
    };
    if let Some(word) = extra.first() {
        return Err((word.column, format!("`{name}` ({what}) takes one value, `{value}`; found also `{}`", word.text)));
    }
    let int_in = |text: &str, min: i64, max: i64| text.parse::<i64>().is_ok_and(|n| (min..=max).contains(&n));
    let good = match kind {
        Value::Int(min, max) => int_in(value, min, max),
        Value::IntOrInfinity(min, max) => value == "infinity" || int_in(value, min, max),
        Value::Bool => matches!(value, "true" | "false"),
        Value::OneOf(words) => words.contains(&value),
        Value::Pair(min, max) => match value.split_once(':') {
            Some((a, b)) => {
                !(a.is_empty() && b.is_empty()) && [a, b].iter().all(|n| n.is_empty() || int_in(n, min, max))
            }
            None => int_in(value, min, max),
        },
        Value::Any | Value::Nothing => true,
    };
    match good {
        true => Ok(()),
        false => Err((column, format!("`{name} {value}`: the {what} must be {accepted}, found `{value}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        split_line(line).unwrap().into_iter().map(|w| w.text).collect()
    }

    fn problem(line: &str) -> String {
        check_line(line, None).unwrap_err().1
    }

    #[test]
    fn words_are_split_as_erlexec_splits_them() {
        assert_eq!(
            words("-sasl sasl_error_logger '{file, \"log/error_log.sasl\"}'"),
            ["-sasl", "sasl_error_logger", "{file, \"log/error_log.sasl\"}"]
        );
        assert_eq!(words("  +A\t100   # threads"), ["+A", "100"]);
        assert_eq!(words("-env GREETING \"hello  world\""), ["-env", "GREETING", "hello  world"]);
        assert_eq!(words("-env A a\\ b x#y"), ["-env", "A", "a b", "x"]);
        assert_eq!(words("-env A \\#x 'it''s' a\"b c\"d"), ["-env", "A", "#x", "its", "ab cd"]);
        assert_eq!(words("-env A 'a \\ #b'"), ["-env", "A", "a \\ #b"]);
        assert_eq!(words("-env A ''"), ["-env", "A", ""]);
        assert_eq!(words("# a comment"), Vec::<String>::new());
        assert_eq!(words(""), Vec::<String>::new());
        let columns: Vec<usize> = split_line("+K  true").unwrap().iter().map(|w| w.column).collect();
        assert_eq!(columns, [1, 5]);
        let (column, message) = split_line("-sasl a '{file").unwrap_err();
        assert_eq!(column, 9);
        assert!(message.contains("does not close on its line"), "{message}");
    }

    #[test]
    fn kazoos_own_vm_args_lines_pass() {
        let modules = Modules::new("kazoo_apps", [("kazoo_apps", &["kazoo_apps_app".to_owned()][..])]);
        let text = "\
## Kazoo's vm.args
-sasl errlog_type error
-sasl sasl_error_logger '{file, \"log/error_log.sasl\"}'
+K true
+A 100
-kernel inet_dist_listen_min 11500 inet_dist_listen_max 11999
-env ERL_CRASH_DUMP_NICE 1
+zdbbl 32768
-s kazoo_apps_app
+P1000000
+S 0:0
+SDcpu :2
+sbwt none
+MBas aobf
+pc unicode
";
        assert_eq!(check(text, Some(&modules)), Ok(()));
    }

    #[test]
    fn emulator_flag_values_outside_their_range_name_flag_value_and_range() {
        for (line, wanted) in [
            ("+A -1", "`+A -1`: the async thread pool size must be an integer in 0..=1024, found `-1`"),
            ("+A 1025", "in 0..=1024, found `1025`"),
            ("+P abc", "`+P abc`: the maximum number of processes must be an integer in 1024..=134217727"),
            ("+Q 10", "1024..=134217727, found `10`"),
            ("+t 100", "maximum number of atoms"),
            ("+S 0:x", "`N`, `N:M` or `:M`"),
            ("+S 2000", "-1024..=1024"),
            ("+SDio 0", "1..=1024"),
            ("+zdbbl 0", "1..=2097151"),
            ("+K yes", "`true` or `false`"),
            ("+sbwt sometimes", "one of none, very_short"),
            ("+A", "`+A` (async thread pool size) needs a value"),
            ("+A 1 2", "takes one value"),
            ("+d 1", "takes no value"),
            ("+Xyz 1", "unknown emulator flag `+Xyz`"),
            ("+ssdio 20", "unknown emulator flag"),
        ] {
            let message = problem(line);
            assert!(message.contains(wanted), "{line}: {message}");
        }
    }

    #[test]
    fn flags_the_start_sets_are_refused_with_what_to_do() {
        for (line, wanted) in [
            ("-setcookie change_me", "cookie sources"),
            ("-name x@y", "NODE or --name"),
            ("-sname x", "--sname"),
            ("-boot start_clean", "boot script"),
            ("-config /etc/app", "core/<node>.sys.config"),
        ] {
            let message = problem(line);
            assert!(message.contains("does not belong in vm.args") && message.contains(wanted), "{line}: {message}");
        }
    }

    #[test]
    fn other_line_errors() {
        assert!(problem("kernel poll").contains("`kernel` is not a flag"));
        assert!(problem("-env ONLY").contains("`-env` takes a variable name and a value"));
        assert!(problem("-sasl errlog_type").contains("takes Key Value pairs"));
        assert!(problem("-kernel a '{oops'").contains("the value of `a` is not an Erlang term"));
        assert!(problem("-s").contains("needs a module"));
    }

    #[test]
    fn a_start_module_the_node_type_does_not_carry_is_an_error() {
        let ecallmgr = Modules::new("ecallmgr", [("ecallmgr", &["ecallmgr_app".to_owned()][..]), ("kernel", &[][..])]);
        let error = check("+K true\n-s kazoo_apps_app\n", Some(&ecallmgr)).unwrap_err();
        assert_eq!((error.line, error.column), (2, 4));
        assert!(error.message.contains("node type ecallmgr holds module `kazoo_apps_app`"), "{}", error.message);
        assert!(error.message.contains("its applications: ecallmgr, kernel"), "{}", error.message);
        assert_eq!(check("-run ecallmgr_app start\n", Some(&ecallmgr)), Ok(()));
        assert!(check("-run kazoo_apps_app\n", Some(&ecallmgr)).is_err());
        assert_eq!(check("-s kazoo_apps_app\n", None), Ok(()), "no modules known, no check");
    }

    /// The derive checks `raw` lines against its own copy of the flag names (a proc-macro
    /// crate cannot share code with its runtime crate); the two lists stay alike.
    #[test]
    fn the_flag_names_are_the_derives() {
        let source = include_str!("../../kazoo-release-macros/src/erlang.rs");
        let list = source.split("const EMULATOR_FLAGS: &[&str] = &[").nth(1).unwrap().split("];").next().unwrap();
        let derive: BTreeSet<&str> =
            list.split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty()).collect();
        let ours: BTreeSet<&str> = EMULATOR_FLAGS.iter().map(|(f, ..)| *f).collect();
        assert_eq!(derive, ours);
    }
}
