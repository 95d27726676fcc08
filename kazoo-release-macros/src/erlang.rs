//! Erlang's lexical rules the release depends on: unquoted atoms, release versions, and the
//! emulator flags `erl` accepts. Pure string functions; check.rs attaches the spans.

/// Words Erlang reserves: written unquoted they are keywords, not atoms.
const RESERVED: &[&str] = &[
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch", "cond", "div",
    "else", "end", "fun", "if", "let", "maybe", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
];

/// Why `name` is not a valid unquoted Erlang atom (`[a-z][A-Za-z0-9_@]*`, not reserved),
/// or `None` when it is one. Names end up unquoted in file names, node names and scripts.
pub fn atom_problem(name: &str) -> Option<String> {
    let Some(first) = name.chars().next() else {
        return Some("an empty name is not a valid Erlang atom".to_owned());
    };
    let why = if first.is_ascii_uppercase() {
        "it starts with an uppercase letter (Erlang would read a variable); use lowercase".to_owned()
    } else if first == '_' {
        "it starts with `_` (Erlang would read a variable); start with a lowercase letter".to_owned()
    } else if first.is_ascii_digit() {
        "it starts with a digit; start with a lowercase letter".to_owned()
    } else if !first.is_ascii_lowercase() {
        format!("it starts with `{first}`; start with a lowercase letter")
    } else if let Some(bad) = name.chars().find(|&c| !is_atom_char(c)) {
        let hint = if bad == '-' { "use `_` instead" } else { "use only letters, digits, `_` and `@`" };
        format!("it contains `{bad}`; {hint}")
    } else if RESERVED.contains(&name) {
        "it is a reserved word in Erlang".to_owned()
    } else {
        return None;
    };
    Some(format!("`{name}` is not a valid Erlang atom: {why}"))
}

/// Why `name` cannot name a release, node type, application or profile, or `None`: it must
/// be a valid unquoted atom ([`atom_problem`]) without `@`, which separates a node's name from
/// its host (`kazoo_apps@host`) and cannot stand in a node type's name.
pub fn name_problem(name: &str) -> Option<String> {
    atom_problem(name).or_else(|| {
        name.contains('@').then(|| {
            format!(
                "`{name}` cannot be a name here: it contains `@`, which separates a node's name \
                 from its host (`kazoo_apps@host`); use `_` instead"
            )
        })
    })
}

fn is_atom_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '@'
}

/// Why `version` cannot be a release version, or `None`. The rule (alphanumeric start, then
/// alphanumerics and `._+-`, no `..`, no trailing `.`) keeps it usable as a directory name
/// (`releases/<vsn>`) and as the string systools compares. The build step checks a version
/// from the environment with the same rule, `kazoo_release::spec::version_problem` (this
/// crate can export only macros, so the rule is written twice: keep the two alike).
pub fn version_problem(version: &str) -> Option<String> {
    let why = match version.chars().next() {
        None => {
            return Some(
                "the version is empty: write one such as \"4.3.0\", or leave `version` out to \
                 take Cargo's package version"
                    .to_owned(),
            )
        }
        Some(c) if !c.is_ascii_alphanumeric() => {
            format!("it starts with `{c}`; start with a letter or digit")
        }
        Some(_) => match version.chars().find(|&c| !is_version_char(c)) {
            Some(bad) => format!("it contains `{bad}`; use letters, digits and `.`, `_`, `+`, `-`"),
            None if version.contains("..") => "it contains `..`".to_owned(),
            None if version.ends_with('.') => "it ends with `.`".to_owned(),
            None => return None,
        },
    };
    Some(format!("`{version}` is not a valid release version: {why}"))
}

fn is_version_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-')
}

/// Emulator flags from the erts `erl` manual (OTP 24 to 27), `+` included; the `+M...`
/// allocator family is matched by `is_emulator_flag`. kazoo-release's vm.args checker
/// (kazoo-release/src/vm_args.rs) holds the same names with their values; a test there keeps
/// the two lists alike.
const EMULATOR_FLAGS: &[&str] = &[
    "+a",
    "+A",
    "+B",
    "+Bc",
    "+Bd",
    "+Bi",
    "+c",
    "+C",
    "+d",
    "+dcg",
    "+e",
    "+ec",
    "+fnl",
    "+fnu",
    "+fnuw",
    "+fnui",
    "+fnue",
    "+fna",
    "+fnaw",
    "+fnai",
    "+fnae",
    "+fne",
    "+hms",
    "+hmbs",
    "+hmax",
    "+hmaxel",
    "+hmaxk",
    "+hmaxib",
    "+hpds",
    "+hmqd",
    "+IOp",
    "+IOt",
    "+IOPp",
    "+IOPt",
    "+IOs",
    "+JPperf",
    "+JPcover",
    "+JMsingle",
    "+JDdump",
    "+K",
    "+l",
    "+L",
    "+pad",
    "+pc",
    "+P",
    "+Q",
    "+R",
    "+r",
    "+rg",
    "+S",
    "+SP",
    "+SDcpu",
    "+SDPcpu",
    "+SDio",
    "+sbt",
    "+sbwt",
    "+sbwtdcpu",
    "+sbwtdio",
    "+swt",
    "+swtdcpu",
    "+swtdio",
    "+swct",
    "+sws",
    "+sss",
    "+sssdcpu",
    "+sssdio",
    "+spp",
    "+stbt",
    "+sub",
    "+sbtu",
    "+scl",
    "+secio",
    "+sct",
    "+sfwi",
    "+ssrct",
    "+t",
    "+T",
    "+v",
    "+V",
    "+W",
    "+wt",
    "+wtdcpu",
    "+wtdio",
    "+zdbbl",
    "+zdntgc",
    "+zosrl",
    "+zhft",
];

/// Whether `flag` (the first word of a vm.args line starting with `+`) is one `erl` knows.
/// A value glued to a flag (`+P1000000`) is accepted as erl accepts it.
pub fn is_emulator_flag(flag: &str) -> bool {
    let known = |f: &str| EMULATOR_FLAGS.contains(&f) || (f.starts_with("+M") && f.len() > 2);
    let unglued = flag.trim_end_matches(|c: char| c.is_ascii_digit());
    known(flag) || (unglued.len() < flag.len() && known(unglued))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoms() {
        for ok in ["kazoo", "kazoo_apps", "ecallmgr", "a", "node@host", "x1_Y2"] {
            assert_eq!(atom_problem(ok), None, "{ok}");
        }
        let cases = [
            ("Kazoo", "starts with an uppercase letter"),
            ("_kazoo", "starts with `_`"),
            ("1kazoo", "starts with a digit"),
            ("kazoo-apps", "contains `-`; use `_` instead"),
            ("kazoo.apps", "contains `.`"),
            ("", "empty name"),
            ("ümlaut", "starts with `ü`"),
            ("receive", "reserved word"),
        ];
        for (bad, why) in cases {
            let message = atom_problem(bad).unwrap_or_default();
            assert!(message.contains(why), "{bad}: {message}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(name_problem("kazoo_apps"), None);
        for bad in ["kazoo@apps", "he@llo", "my@app", "a@"] {
            let message = name_problem(bad).unwrap_or_default();
            assert!(message.contains("contains `@`"), "{bad}: {message}");
        }
        assert!(name_problem("Kazoo").unwrap_or_default().contains("uppercase"));
    }

    #[test]
    fn versions() {
        for ok in ["4.3.0", "1", "4.3.0-rc1", "4.3+build.5", "v1_2"] {
            assert_eq!(version_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("", "empty"),
            (".1", "starts with `.`"),
            ("1..2", "`..`"),
            ("1.2.", "ends with `.`"),
            ("1 2", "contains ` `"),
        ] {
            let message = version_problem(bad).unwrap_or_default();
            assert!(message.contains(why), "{bad}: {message}");
        }
    }

    #[test]
    fn emulator_flags() {
        for ok in ["+K", "+A", "+zdbbl", "+sbwt", "+MBas", "+MHe", "+fnuw", "+P1000000", "+SDio"] {
            assert!(is_emulator_flag(ok), "{ok}");
        }
        for bad in ["+Xyz", "+", "+M", "+sbwx", "+zz", "+kernel_poll", "+K9x", "+ssdio"] {
            assert!(!is_emulator_flag(bad), "{bad}");
        }
    }
}
