//! Typed Rust data to Erlang terms: one test per mapping of `term::to_term`.

use std::collections::BTreeMap;

use kazoo_release::term::{self, to_term, Atom, Binary, Charlist, SerError, Term};
use serde::{Deserialize, Serialize};

fn atom(name: &str) -> Term {
    Term::atom(name)
}

fn entry(key: &str, value: Term) -> Term {
    Term::tuple([atom(key), value])
}

#[derive(Serialize)]
struct Handler {
    level: Level,
    #[serde(rename = "formatter")]
    format: &'static str,
    size: Option<u64>,
    date: Option<String>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Level {
    Error,
    Info,
    DebugAll,
}

#[test]
fn structs_become_proplists_without_none_fields() {
    let handler = Handler { level: Level::Info, format: "lager", size: Some(10), date: None };
    assert_eq!(
        to_term(&handler).unwrap(),
        Term::list([
            entry("level", atom("info")),
            entry("formatter", Term::charlist("lager")),
            entry("size", Term::Integer(10)),
        ])
    );
}

#[test]
fn unit_variants_become_atoms() {
    assert_eq!(to_term(&Level::Error).unwrap(), atom("error"));
    assert_eq!(to_term(&Level::DebugAll).unwrap(), atom("debug_all"));
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Overlay {
    Mkdir(String),
    Copy(String, String),
    Chmod { mode: u32, path: String },
}

#[test]
fn variants_with_data_become_tagged_tuples() {
    assert_eq!(to_term(&Overlay::Mkdir("log".into())).unwrap(), Term::tuple([atom("mkdir"), Term::charlist("log")]));
    assert_eq!(
        to_term(&Overlay::Copy("a".into(), "b".into())).unwrap(),
        Term::tuple([atom("copy"), Term::charlist("a"), Term::charlist("b")])
    );
    assert_eq!(
        to_term(&Overlay::Chmod { mode: 0o755, path: "bin/kazoo".into() }).unwrap(),
        Term::tuple([
            atom("chmod"),
            Term::list([entry("mode", Term::Integer(493)), entry("path", Term::charlist("bin/kazoo"))]),
        ])
    );
}

#[derive(Serialize)]
struct Pair(u16, u16);

#[derive(Serialize)]
struct Port(u16);

#[derive(Serialize)]
struct Nothing;

#[derive(Serialize)]
struct Empty {}

#[test]
fn tuples_sequences_and_newtypes() {
    assert_eq!(
        to_term(&("kazoo", 4, true)).unwrap(),
        Term::tuple([Term::charlist("kazoo"), Term::Integer(4), atom("true")])
    );
    assert_eq!(to_term(&Pair(1, 2)).unwrap(), Term::tuple([Term::Integer(1), Term::Integer(2)]));
    assert_eq!(to_term(&Port(4369)).unwrap(), Term::Integer(4369));
    assert_eq!(to_term(&vec![false]).unwrap(), Term::list([atom("false")]));
    assert_eq!(to_term(&[1u8, 2][..]).unwrap(), Term::list([Term::Integer(1), Term::Integer(2)]));
    assert_eq!(to_term(&vec![Some(1), None]).unwrap(), Term::list([Term::Integer(1), atom("undefined")]));
    assert_eq!(to_term(&None::<i32>).unwrap(), atom("undefined"));
    assert_eq!(to_term(&Some("x")).unwrap(), Term::charlist("x"));
    // Nothing to say is the empty proplist.
    assert_eq!(to_term(&()).unwrap(), Term::list([]));
    assert_eq!(to_term(&Nothing).unwrap(), Term::list([]));
    assert_eq!(to_term(&Empty {}).unwrap(), Term::list([]));
}

#[test]
fn maps_with_string_keys_become_proplists() {
    let mut env = BTreeMap::new();
    env.insert("poll_interval", Some(2000));
    env.insert("heartbeat_interval", None);
    assert_eq!(to_term(&env).unwrap(), Term::list([entry("poll_interval", Term::Integer(2000))]));
    let mut by_number = BTreeMap::new();
    by_number.insert(1, "one");
    assert_eq!(to_term(&by_number).unwrap(), Term::list([Term::tuple([Term::Integer(1), Term::charlist("one")])]));
    let mut by_charlist = BTreeMap::new();
    by_charlist.insert(Charlist("k".into()), 1);
    assert_eq!(to_term(&by_charlist).unwrap(), Term::list([Term::tuple([Term::charlist("k"), Term::Integer(1)])]));
}

#[test]
fn scalars() {
    assert_eq!(to_term(&true).unwrap(), atom("true"));
    assert_eq!(to_term(&-5i8).unwrap(), Term::Integer(-5));
    assert_eq!(to_term(&u64::try_from(i64::MAX).unwrap()).unwrap(), Term::Integer(i64::MAX));
    assert_eq!(to_term(&i64::MIN).unwrap(), Term::Integer(i64::MIN));
    assert_eq!(to_term(&-7i128).unwrap(), Term::Integer(-7));
    assert_eq!(to_term(&1.5f32).unwrap(), Term::Float(1.5));
    assert_eq!(to_term(&-0.25f64).unwrap(), Term::Float(-0.25));
    assert_eq!(to_term(&'é').unwrap(), Term::Integer(0xe9));
    assert_eq!(to_term("text").unwrap(), Term::charlist("text"));
    assert_eq!(to_term(&String::new()).unwrap(), Term::charlist(""));
}

#[test]
fn values_erlang_cannot_hold_are_errors() {
    assert_eq!(to_term(&(i64::MAX as u64 + 1)).unwrap_err(), SerError::IntegerOutOfRange("9223372036854775808".into()));
    assert!(matches!(to_term(&u128::MAX), Err(SerError::IntegerOutOfRange(_))));
    assert!(matches!(to_term(&f64::NAN), Err(SerError::NonFiniteFloat(_))));
    assert!(to_term(&vec![f32::INFINITY]).unwrap_err().to_string().contains("inf"));
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct LogPrefix {
    #[serde(with = "kazoo_release::term::as_binary")]
    callid: String,
    #[serde(with = "term::as_atom")]
    node_type: String,
    sink: Atom,
    account: Binary,
    name: Charlist,
    level: Level,
    extra: Term,
}

fn log_prefix() -> LogPrefix {
    LogPrefix {
        callid: "0000000000".into(),
        node_type: "kazoo-apps".into(),
        sink: Atom("data_lager_event".into()),
        account: Binary("héllo".into()),
        name: Charlist("x".into()),
        level: Level::Info,
        extra: Term::tuple([atom("module"), Term::list([atom("module")]), Term::charlist("")]),
    }
}

#[test]
fn string_forms_and_terms_pass_through() {
    assert_eq!(
        to_term(&log_prefix()).unwrap(),
        Term::list([
            entry("callid", Term::binary("0000000000")),
            entry("node_type", atom("kazoo-apps")),
            entry("sink", atom("data_lager_event")),
            entry("account", Term::binary("héllo")),
            entry("name", Term::charlist("x")),
            entry("level", atom("info")),
            entry("extra", Term::tuple([atom("module"), Term::list([atom("module")]), Term::charlist("")])),
        ])
    );
    assert_eq!(to_term(&Atom("ok".into())).unwrap(), atom("ok"));
}

#[test]
fn every_term_passes_through_verbatim() {
    let term = Term::list([
        atom("a"),
        Term::Integer(-1),
        Term::Float(2.5),
        Term::charlist(""),
        Term::charlist("é"),
        Term::binary([0, 255]),
        Term::binary(""),
        Term::tuple([]),
        Term::list([]),
        Term::Map(vec![(Term::charlist("k"), Term::tuple([atom("v"), Term::Map(vec![])]))]),
    ]);
    assert_eq!(to_term(&term).unwrap(), term);
    assert_eq!(to_term(&vec![term.clone()]).unwrap(), Term::list([term.clone()]));
    let mut keyed = BTreeMap::new();
    keyed.insert("k", term.clone());
    assert_eq!(to_term(&keyed).unwrap(), Term::list([entry("k", term)]));
}

/// Other formats (`kazoo spec --json`) see Term as serde's tagged enum, and read it back.
#[test]
fn terms_and_string_forms_round_trip_through_json() {
    let value = log_prefix();
    let json = serde_json::to_string(&value).unwrap();
    assert!(json.contains(r#""callid":{"Binary":[48,48"#), "{json}");
    assert!(json.contains(r#""sink":{"Atom":"data_lager_event"}"#), "{json}");
    assert_eq!(serde_json::from_str::<LogPrefix>(&json).unwrap(), value);
    let wrong = json.replace(r#"{"Atom":"data_lager_event"}"#, r#"{"Charlist":"x"}"#);
    let err = serde_json::from_str::<LogPrefix>(&wrong).unwrap_err();
    assert!(err.to_string().contains("expected an atom"), "{err}");
}
