//! Kazoo's real configs parse and survive printing; the printer's output is what a real
//! `erl` reads back.
//!
//! Erlang cannot tell a charlist from a list of integers (nor `""` from `[]`) and orders map
//! keys its own way, so terms are compared after `normalise` (see term_support).

mod term_support;

use kazoo_release::term::{parse_file, parse_str, to_file_string, Term};
use term_support::{assert_reprints, erl_consult, fixture, normalise_all};

fn atom(name: &str) -> Term {
    Term::atom(name)
}

#[test]
fn kazoo_sys_config_parses_and_round_trips() {
    let terms = parse_file(&fixture("sys.config")).unwrap();
    let [config] = terms.as_slice() else { panic!("one term: {terms:?}") };
    let lager = config.proplist_get("lager").unwrap();
    let handlers = lager.proplist_get("handlers").unwrap();
    let console = handlers.proplist_get("lager_console_backend").unwrap();
    assert_eq!(console.proplist_get("level"), Some(&atom("info")));
    let format = console.proplist_get("formatter_config").unwrap().as_list().unwrap();
    assert_eq!(format[5], Term::tuple([atom("module"), Term::list([atom("module")]), Term::charlist("")]));
    assert_eq!(format[7], Term::charlist("\u{1b}[0m"));
    assert_eq!(format[9], Term::charlist("\n"));
    let file = handlers.proplist_get("lager_file_backend").unwrap();
    assert_eq!(file.proplist_get("size"), Some(&Term::Integer(10_485_760)));
    assert_eq!(file.proplist_get("date").and_then(Term::as_str), Some("$D0"));
    let format = file.proplist_get("formatter_config").unwrap().as_list().unwrap();
    assert_eq!(format[5], Term::tuple([atom("callid"), Term::binary("0000000000")]));
    let sinks = lager.proplist_get("extra_sinks").unwrap().as_list().unwrap();
    assert_eq!(sinks.len(), 3);
    assert_eq!(lager.proplist_get("colored"), Some(&atom("true")));
    let aten = config.proplist_get("aten").unwrap();
    assert_eq!(aten.proplist_get("detection_threshold"), Some(&Term::Float(1.5)));
    let ra = config.proplist_get("ra").unwrap();
    assert_eq!(ra.proplist_get("data_dir").and_then(Term::as_str), Some("/etc/kazoo/ra"));
    assert_reprints(&terms);
}

#[test]
fn kazoo_relx_config_parses_and_round_trips() {
    let terms = parse_file(&fixture("relx.config")).unwrap();
    assert_eq!(terms.len(), 4);
    assert_eq!(
        terms[0],
        Term::tuple([atom("lib_dirs"), Term::list(["core", "applications", "deps"].map(Term::charlist))])
    );
    assert_eq!(terms[1], Term::tuple([atom("include_erts"), atom("true")]));
    assert_eq!(
        terms[2],
        Term::tuple([
            atom("release"),
            Term::tuple([atom("kazoo"), Term::charlist("4.3.0")]),
            Term::list([atom("runtime_tools"), Term::tuple([atom("lager"), atom("load")])]),
        ])
    );
    let overlay = terms[3].as_tuple().unwrap()[1].as_list().unwrap();
    assert_eq!(overlay[0], Term::tuple([atom("mkdir"), Term::charlist("log")]));
    assert_eq!(
        overlay[3],
        Term::tuple([atom("chmod"), Term::Integer(0o755), Term::charlist("{{output_dir}}/bin/kazoo")])
    );
    assert_reprints(&terms);
}

/// The fixtures as erl reads them equal our parse, and our reprint reads back equal too.
#[test]
fn erl_reads_kazoo_configs_and_our_reprints_alike() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut ours = Vec::new();
    for name in ["sys.config", "relx.config"] {
        let terms = parse_file(&fixture(name)).unwrap();
        let reprinted = dir.path().join(name);
        std::fs::write(&reprinted, to_file_string(&terms)).unwrap();
        files.extend([fixture(name), reprinted]);
        ours.extend([terms.clone(), terms]);
    }
    let paths: Vec<_> = files.iter().map(|f| f.as_path()).collect();
    for ((file, by_erl), ours) in files.iter().zip(erl_consult(&paths)).zip(ours) {
        assert_eq!(normalise_all(&by_erl), normalise_all(&ours), "{}", file.display());
    }
}

/// Terms that are easy to print wrongly.
fn tricky_terms() -> Vec<Term> {
    let mut terms: Vec<Term> = [
        "ok",
        "kazoo-apps",
        "Foo",
        "",
        "end",
        "and",
        "maybe",
        "else",
        "_x",
        "a b",
        "it's",
        "back\\slash",
        "été",
        "héllo ☎",
        "x@host",
        "a.b",
        "new\nline",
        "\u{1}",
    ]
    .into_iter()
    .map(atom)
    .collect();
    terms.extend([0, 1, -1, 42, i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1, 0xFF, 0o755].map(Term::Integer));
    terms.extend(
        [
            0.0,
            -0.0,
            1.0,
            -1.5,
            0.1,
            1.5e-7,
            -2.5e-300,
            1e21,
            1.0e100,
            6.02214076e23,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            123456789.125,
            1e16,
            1e15,
        ]
        .map(Term::Float),
    );
    terms.extend(
        [
            "",
            "plain",
            "quote \" and ' and \\",
            "tab\tnl\nesc\u{1b}[0m cr\r",
            "del\u{7f} nul\u{0} bell\u{7}",
            "héllo ☎",
            "emoji 😀",
            "$D0",
            "%not a comment",
            "{{output_dir}}/bin/",
        ]
        .map(Term::charlist),
    );
    terms.extend(
        [&b""[..], b"0000000000", "héllo ☎".as_bytes(), b"\x00\x01\xff", b"\xc3", b"a\"b\\c\n", b"\x1b[0m"]
            .map(Term::binary),
    );
    terms.push(Term::tuple([]));
    terms.push(Term::list([]));
    terms.push(Term::Map(vec![]));
    terms.push(Term::Map(vec![
        (atom("k"), Term::Integer(-7)),
        (Term::binary("bin key"), Term::list([Term::Float(-0.5), Term::charlist("x")])),
        (Term::tuple([atom("a"), Term::Integer(1)]), Term::Map(vec![(atom("nested"), atom("true"))])),
    ]));
    let long_list = Term::list((0..60).map(|i| atom(&format!("app_{i}"))));
    let proplist = Term::list(
        (0..8).map(|i| Term::tuple([atom(&format!("key_{i}")), Term::charlist("a value long enough to wrap lines")])),
    );
    terms.push(Term::tuple([
        atom("deep"),
        Term::list([Term::tuple([atom("inner"), proplist.clone()]), long_list.clone()]),
        Term::Map(vec![(atom("m"), proplist)]),
        long_list,
    ]));
    terms
}

#[test]
fn printer_round_trips_through_our_parser() {
    assert_reprints(&tricky_terms());
}

#[test]
fn printer_output_is_what_erl_reads() {
    let terms = tricky_terms();
    let dir = tempfile::tempdir().unwrap();
    let pretty = dir.path().join("pretty.config");
    std::fs::write(&pretty, to_file_string(&terms)).unwrap();
    let flat = dir.path().join("flat.config");
    let lines: String = terms.iter().map(|t| format!("{t}.\n")).collect();
    std::fs::write(&flat, lines).unwrap();
    let consulted = erl_consult(&[&pretty, &flat]);
    for by_erl in consulted {
        assert_eq!(by_erl.len(), terms.len());
        for (theirs, ours) in normalise_all(&by_erl).iter().zip(normalise_all(&terms)) {
            assert_eq!(theirs, &ours);
        }
    }
}

#[test]
fn adjacent_strings_and_escapes_parse() {
    let src = r#"{"a" "b"
        "c", '\x{1F600}\e', "\033\x1b\^A\^z\s\d\b\f\v\r\t\n\'\"\\\.", $a, $\n, $\\, $ , $\x{263E}}."#;
    let terms = parse_str(src, "escapes").unwrap();
    assert_eq!(
        terms,
        [Term::tuple([
            Term::charlist("abc"),
            atom("😀\u{1b}"),
            Term::charlist("\u{1b}\u{1b}\u{1}\u{1a} \u{7f}\u{8}\u{c}\u{b}\r\t\n'\"\\."),
            Term::Integer(97),
            Term::Integer(10),
            Term::Integer(92),
            Term::Integer(32),
            Term::Integer(0x263E),
        ])]
    );
}

#[test]
fn numbers_parse() {
    let src = "[16#FF, 16#ff_ff, 8#00755, 2#101, 36#z, -16#10, 1_000, - 5, +3, 1.5e-7, -2.0E+3, 1.0e10, 9223372036854775807, -9223372036854775808].";
    let terms = parse_str(src, "numbers").unwrap();
    assert_eq!(
        terms,
        [Term::list([
            Term::Integer(255),
            Term::Integer(0xffff),
            Term::Integer(0o755),
            Term::Integer(5),
            Term::Integer(35),
            Term::Integer(-16),
            Term::Integer(1000),
            Term::Integer(-5),
            Term::Integer(3),
            Term::Float(1.5e-7),
            Term::Float(-2.0e3),
            Term::Float(1.0e10),
            Term::Integer(i64::MAX),
            Term::Integer(i64::MIN),
        ])]
    );
}

#[test]
fn binaries_maps_and_list_tails_parse() {
    let src = r#"{<<>>, <<"a", 1>>, <<"é"/utf8>>, <<"é">>, <<1,2,3>>, <<"a" "b">>, #{}, #{a => 1, "k" => [x]}, [a | [b, c]], [$a | "bc"], [a | []]}."#;
    let terms = parse_str(src, "binaries").unwrap();
    let chars = |s: &str| s.chars().map(|c| Term::Integer(c as i64)).collect::<Vec<_>>();
    assert_eq!(
        terms,
        [Term::tuple([
            Term::binary(""),
            Term::binary(b"a\x01"),
            Term::binary("é"),
            Term::binary([0xe9]),
            Term::binary([1, 2, 3]),
            Term::binary("ab"),
            Term::Map(vec![]),
            Term::Map(vec![(atom("a"), Term::Integer(1)), (Term::charlist("k"), Term::list([atom("x")]))]),
            Term::list([atom("a"), atom("b"), atom("c")]),
            Term::list(chars("abc")),
            Term::list([atom("a")]),
        ])]
    );
}

#[test]
fn accessors() {
    let app = &parse_str(
        r#"{application, kernel, [{vsn, "9.0"}, {applications, []}, {vsn, "shadowed"}, {registered, ""}, {id, <<"k">>}, {n, 3}]}."#,
        "kernel.app",
    )
    .unwrap()[0];
    let [_, name, props] = app.as_tuple().unwrap() else { panic!() };
    assert_eq!(name.as_atom(), Some("kernel"));
    assert_eq!(props.proplist_get("vsn").and_then(Term::as_str), Some("9.0"));
    assert_eq!(props.proplist_get("applications").and_then(Term::as_list), Some(&[][..]));
    assert_eq!(props.proplist_get("registered").and_then(Term::as_list), Some(&[][..]));
    assert_eq!(props.proplist_get("id").and_then(Term::as_str), Some("k"));
    assert_eq!(props.proplist_get("n").and_then(Term::as_integer), Some(3));
    assert_eq!(props.proplist_get("missing"), None);
    assert_eq!(name.proplist_get("vsn"), None);
    assert_eq!(Term::binary([0xff]).as_str(), None);
    assert_eq!(Term::charlist("x").as_list(), None);
}

#[test]
fn printer_spells_terms_as_erlang_does() {
    let cases = [
        (atom("kazoo-apps"), "'kazoo-apps'"),
        (atom("Foo"), "'Foo'"),
        (atom(""), "''"),
        (atom("end"), "'end'"),
        (atom("node@host"), "node@host"),
        (atom("it's"), r"'it\'s'"),
        (Term::Float(1.0), "1.0"),
        (Term::Float(1.5e-7), "1.5e-7"),
        (Term::Float(1e21), "1.0e21"),
        (Term::Float(-0.25), "-0.25"),
        (Term::Integer(-3), "-3"),
        (Term::charlist("a\"b\\\u{1b}\n\u{1}"), r#""a\"b\\\e\n\x{1}""#),
        (Term::charlist("héllo"), "\"héllo\""),
        (Term::binary("abc"), r#"<<"abc">>"#),
        (Term::binary("é"), r#"<<"é"/utf8>>"#),
        (Term::binary([1, 2, 255]), "<<1,2,255>>"),
        (Term::binary(""), "<<>>"),
        (Term::Map(vec![(atom("a"), Term::list([]))]), "#{a => []}"),
        (Term::tuple([atom("a"), Term::charlist("")]), r#"{a, ""}"#),
    ];
    for (term, text) in cases {
        assert_eq!(term.to_string(), text);
    }
    let file = to_file_string(&[atom("a"), Term::charlist("é")]);
    assert_eq!(file, "%% -*- coding: utf-8 -*-\na.\n\"é\".\n");
    assert_eq!(to_file_string(&[atom("a")]), "a.\n");
}
