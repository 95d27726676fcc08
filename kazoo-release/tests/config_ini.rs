//! config.ini as Kazoo's kz_config reads it, with Kazoo's names and another release's:
//! files, repeated sections chosen by host, zone or neither, the cookie's precedence,
//! quoting, comments and every error. The file shapes are those of Kazoo's docs (single
//! server; several zones with `host`/`zone` keys).

use std::path::Path;

use kazoo_release::config_ini::{self, ConfigIni, ConfigIniError, CookieSource, Given, Here, Names};
use proptest::prelude::*;

/// Kazoo's single-server config.ini, as its install docs give it.
const SINGLE_SERVER: &str = r#"
; section are determined by ['s
; and ends with the start of another or EOF.
[zone]
name = "z1"
amqp_uri = "amqp://guest:guest@127.0.0.1:5672"

[bigcouch]
compact_automatically = true
cookie = change_me
ip = "127.0.0.1"
port = 15984
admin_port = 15986

[kazoo_apps]
host = "kazoo.local"
zone = "z1"
cookie = "change_me"

[ecallmgr]
host = "kazoo.local"
zone = "z1"
cookie = "change_me"

[log]
syslog = info
console = notice
file = error
"#;

/// Two zones, one server each, plus generic sections for any other machine.
const MULTI_ZONE: &str = r#"
[zone]
name = "z1"
amqp_uri = "amqp://guest:guest@10.1.0.1:5672"

[zone]
name = "z2"
amqp_uri = "amqp://guest:guest@10.2.0.1:5672"

[amqp]
uri = "amqp://guest:guest@127.0.0.1:5672"

[kazoo_apps]
cookie = generic_apps

[kazoo_apps]
host = "kazoo1.z1.example.com"
zone = "z1"
cookie = "apps_one"

[kazoo_apps]
host = "kazoo2.z2.example.com"
zone = "z2"
cookie = "apps_two"

[kazoo_apps]
zone = "z2"
cookie = "apps_zone_two"

[ecallmgr]
host = "kazoo1.z1.example.com"
zone = "z1"
cookie = "ecallmgr_one"

[ecallmgr]
zone = "z2"
cookie = "ecallmgr_zone_two"

[ecallmgr]
cookie = "ecallmgr_generic"
"#;

/// Kazoo's names, as its release's conventions give them.
fn kazoo() -> Names {
    Names {
        file_var: "KAZOO_CONFIG".into(),
        files: vec!["/etc/kazoo/config.ini".into(), "/etc/kazoo/core/config.ini".into()],
        zone_var: "KAZOO_ZONE".into(),
        fallback_section: Some("kazoo_apps".into()),
        cookie_var: "KAZOO_COOKIE".into(),
    }
}

fn ini(text: &str) -> ConfigIni {
    ConfigIni::parse("/etc/kazoo/config.ini", text).expect("parses")
}

fn here(hostname: &str, zone: &str) -> Here {
    Here { hostname: hostname.into(), zone: zone.into() }
}

/// The cookie of `node_type` on `hostname` with KAZOO_ZONE `zone`, zone resolved as a node does.
fn cookie_on(text: &str, node_type: &str, hostname: &str, kazoo_zone: Option<&str>) -> String {
    let ini = ini(text);
    let here = ini.here(node_type, hostname, kazoo_zone);
    ini.cookie(node_type, &here, &kazoo()).expect("a cookie").value().to_owned()
}

fn section_of(text: &str, node_type: &str, hostname: &str) -> String {
    let ini = ini(text);
    let here = ini.here(node_type, hostname, None);
    match ini.cookie(node_type, &here, &kazoo()).expect("a cookie").source() {
        CookieSource::Section { section, .. } => section.clone(),
        other => panic!("from {other:?}"),
    }
}

#[test]
fn single_server_reads_its_host_sections() {
    assert_eq!(cookie_on(SINGLE_SERVER, "ecallmgr", "kazoo.local", None), "change_me");
    assert_eq!(cookie_on(SINGLE_SERVER, "kazoo_apps", "KAZOO.local", None), "change_me");
    let ini = ini(SINGLE_SERVER);
    assert_eq!(ini.here("ecallmgr", "kazoo.local", None), here("kazoo.local", "z1"));
    let zone = ini.applicable("zone", &here("kazoo.local", "z1"));
    assert_eq!(zone[0].get("amqp_uri"), Some("amqp://guest:guest@127.0.0.1:5672"));
    let bigcouch = ini.applicable("bigcouch", &here("kazoo.local", "z1"));
    assert_eq!(bigcouch[0].get("port"), Some("15984"));
}

#[test]
fn a_section_for_this_host_wins_over_zone_and_generic_ones() {
    assert_eq!(cookie_on(MULTI_ZONE, "ecallmgr", "kazoo1.z1.example.com", None), "ecallmgr_one");
    assert_eq!(cookie_on(MULTI_ZONE, "kazoo_apps", "kazoo2.z2.example.com", None), "apps_two");
    // KAZOO_ZONE names the zone, but a host section still wins.
    assert_eq!(cookie_on(MULTI_ZONE, "ecallmgr", "kazoo1.z1.example.com", Some("z2")), "ecallmgr_one");
}

#[test]
fn the_zone_comes_from_kazoo_zone_else_the_host_section_else_local() {
    let ini = ini(MULTI_ZONE);
    assert_eq!(ini.here("kazoo_apps", "kazoo2.z2.example.com", None).zone, "z2");
    assert_eq!(ini.here("kazoo_apps", "kazoo2.z2.example.com", Some("z9")).zone, "z9");
    assert_eq!(ini.here("kazoo_apps", "elsewhere", None).zone, "local");
    let zone = ini.applicable("zone", &ini.here("kazoo_apps", "kazoo2.z2.example.com", None));
    assert_eq!(zone.len(), 1);
    assert_eq!(zone[0].get("amqp_uri"), Some("amqp://guest:guest@10.2.0.1:5672"));
}

#[test]
fn without_a_host_section_the_zone_sections_win_over_generic_ones() {
    assert_eq!(cookie_on(MULTI_ZONE, "ecallmgr", "kazoo3.z2.example.com", Some("z2")), "ecallmgr_zone_two");
    assert_eq!(cookie_on(MULTI_ZONE, "kazoo_apps", "kazoo3.z2.example.com", Some("z2")), "apps_zone_two");
}

#[test]
fn without_host_or_zone_sections_the_generic_ones_apply() {
    assert_eq!(cookie_on(MULTI_ZONE, "ecallmgr", "kazoo3.z3.example.com", None), "ecallmgr_generic");
    assert_eq!(cookie_on(MULTI_ZONE, "ecallmgr", "kazoo3.z3.example.com", Some("z3")), "ecallmgr_generic");
    assert_eq!(cookie_on(MULTI_ZONE, "kazoo_apps", "kazoo3.z3.example.com", None), "generic_apps");
}

#[test]
fn among_several_applicable_sections_the_first_in_the_file_gives_the_value() {
    let text = "[ecallmgr]\ncookie = first\n[ecallmgr]\ncookie = second\n";
    assert_eq!(cookie_on(text, "ecallmgr", "vm", None), "first");
    let text = "[ecallmgr]\nhost = vm\ncookie = first\n[ecallmgr]\nhost = vm\ncookie = second\n";
    assert_eq!(cookie_on(text, "ecallmgr", "vm", None), "first");
}

#[test]
fn the_node_types_own_section_comes_before_kazoo_apps() {
    let both = "[kazoo_apps]\ncookie = apps\n[ecallmgr]\ncookie = own\n";
    assert_eq!(cookie_on(both, "ecallmgr", "vm", None), "own");
    assert_eq!(section_of(both, "ecallmgr", "vm"), "ecallmgr");
    let apps_only = "[kazoo_apps]\ncookie = apps\n";
    assert_eq!(cookie_on(apps_only, "ecallmgr", "vm", None), "apps");
    assert_eq!(section_of(apps_only, "ecallmgr", "vm"), "kazoo_apps");
    let own_without_cookie = "[kazoo_apps]\ncookie = apps\n[ecallmgr]\nhost = vm\n";
    assert_eq!(cookie_on(own_without_cookie, "ecallmgr", "vm", None), "apps");
}

#[test]
fn differing_cookies_of_kazoo_apps_and_the_node_type_are_flagged_without_the_cookies() {
    let ini = ini("[kazoo_apps]\ncookie = apps_secret\n[ecallmgr]\ncookie = own_secret\n");
    let cookie = ini.cookie("ecallmgr", &here("vm", "local"), &kazoo()).unwrap();
    let warning = cookie.disagreement().expect("flagged").to_string();
    assert!(warning.contains("[ecallmgr] and [kazoo_apps]"), "{warning}");
    assert!(!warning.contains("secret"), "{warning}");
    assert!(!format!("{cookie:?}").contains("secret"), "Debug hides the cookie");

    let same = ini_same_cookies();
    assert!(same.cookie("ecallmgr", &here("vm", "local"), &kazoo()).unwrap().disagreement().is_none());
    assert!(same.cookie("kazoo_apps", &here("vm", "local"), &kazoo()).unwrap().disagreement().is_none());
}

fn ini_same_cookies() -> ConfigIni {
    ini("[kazoo_apps]\ncookie = same\n[ecallmgr]\ncookie = \"same\"\n")
}

#[test]
fn quotes_spacing_and_comments_as_written_by_hand() {
    let text = "; a comment\n# another\n  ; indented\r\n[ecallmgr]\r\n   cookie=\"a;b#c\"  \r\n\n";
    assert_eq!(cookie_on(text, "ecallmgr", "vm", None), "a;b#c");
    assert_eq!(cookie_on("[ecallmgr]\ncookie =   plain  \n", "ecallmgr", "vm", None), "plain");
    assert_eq!(cookie_on("[ ecallmgr ]\n\tcookie\t=\t\"tabs\"\n", "ecallmgr", "vm", None), "tabs");
    assert_eq!(cookie_on("[ecallmgr]\ncookie = back\\slash=x\n", "ecallmgr", "vm", None), "back\\slash=x");
    assert_eq!(cookie_on("[ecallmgr]\nhost = \"vm\"\ncookie = it's\n", "ecallmgr", "vm", None), "it's");
}

fn err(text: &str, node_type: &str, hostname: &str) -> ConfigIniError {
    match ConfigIni::parse("/etc/kazoo/config.ini", text) {
        Err(e) => e,
        Ok(ini) => ini.cookie(node_type, &ini.here(node_type, hostname, None), &kazoo()).expect_err("an error"),
    }
}

#[test]
fn a_malformed_line_is_named_by_file_and_number() {
    let e = err("[ecallmgr]\ncookie = x\nnot a key value\n", "ecallmgr", "vm");
    assert!(matches!(e, ConfigIniError::Malformed { line: 3, .. }), "{e:?}");
    assert!(e.to_string().starts_with("/etc/kazoo/config.ini:3: expected `key = value`"), "{e}");
    let e = err("cookie = x\n[ecallmgr]\n", "ecallmgr", "vm");
    assert!(e.to_string().contains("before any [section]"), "{e}");
    let e = err("[ecallmgr\ncookie = x\n", "ecallmgr", "vm");
    assert!(matches!(e, ConfigIniError::Malformed { line: 1, .. }), "{e:?}");
}

#[test]
fn no_applicable_section_names_what_the_sections_are_for() {
    let e = err(SINGLE_SERVER, "ecallmgr", "vm");
    let ConfigIniError::NoSection { ref sections, ref detail, .. } = e else { panic!("{e:?}") };
    assert_eq!(sections, "[ecallmgr] or [kazoo_apps]");
    assert!(detail.contains("host `kazoo.local`") && detail.contains("hostname is `vm`"), "{detail}");
    let e = err("[log]\nsyslog = info\n", "ecallmgr", "vm");
    assert!(e.to_string().contains("there is no [ecallmgr] section"), "{e}");
}

#[test]
fn applicable_sections_without_a_cookie_say_which() {
    let e = err("[ecallmgr]\nport = 1\n[kazoo_apps]\nport = 2\n", "ecallmgr", "vm");
    let message = e.to_string();
    assert!(matches!(e, ConfigIniError::NoCookie { .. }), "{e:?}");
    assert!(message.contains("no `cookie` in [ecallmgr] nor [kazoo_apps]"), "{message}");
    let e = err("[ecallmgr]\nport = 1\n", "ecallmgr", "vm");
    assert!(e.to_string().contains("no `cookie` in [ecallmgr];"), "only the sections that applied: {e}");
    let e = err("[log]\n", "kazoo_apps", "vm");
    assert_eq!(e.to_string().matches("[kazoo_apps] section").count(), 1, "named once: {e}");
    let e = err("[kazoo_apps]\ncookie = \"\"\n", "kazoo_apps", "vm");
    assert!(matches!(e, ConfigIniError::NoCookie { .. }), "an empty cookie is none: {e:?}");
}

#[test]
fn the_file_variable_alone_is_read_and_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.ini");
    std::fs::write(&path, SINGLE_SERVER).unwrap();
    assert_eq!(config_ini::find(&kazoo(), Some(&path)).unwrap(), path);
    let missing = dir.path().join("missing.ini");
    let e = config_ini::find(&kazoo(), Some(&missing)).unwrap_err();
    assert!(matches!(e, ConfigIniError::FileVarMissing { .. }), "{e:?}");
    let message = e.to_string();
    for expected in [&format!("KAZOO_CONFIG names {}", missing.display()), "unset it to read /etc/kazoo/config.ini"] {
        assert!(message.contains(expected), "{expected:?} in {message}");
    }
}

#[test]
fn without_the_file_variable_the_release_files_are_searched_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let [first, second] = ["config.ini", "core/config.ini"].map(|f| dir.path().join(f));
    let names = Names { files: vec![first.clone(), second.clone()], ..kazoo() };
    let e = config_ini::find(&names, None).unwrap_err();
    let ConfigIniError::NoFile { ref searched, ref var } = e else { panic!("{e:?}") };
    assert_eq!((searched, var.as_str()), (&names.files, "KAZOO_CONFIG"));
    std::fs::create_dir_all(second.parent().unwrap()).unwrap();
    std::fs::write(&second, SINGLE_SERVER).unwrap();
    assert_eq!(config_ini::find(&names, None).unwrap(), second);
    std::fs::write(&first, SINGLE_SERVER).unwrap();
    assert_eq!(config_ini::find(&names, None).unwrap(), first);
}

/// Another release's names: its own variables and files, and no fallback section.
#[test]
fn another_release_reads_its_own_names_and_falls_back_to_no_kazoo_section() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.ini");
    std::fs::write(&file, "[kazoo_apps]\ncookie = not_ours\n[common]\ncookie = shared\n[till]\nport = 1\n").unwrap();
    let shop = Names {
        file_var: "SHOP_CONFIG".into(),
        files: vec![file.clone()],
        zone_var: "SHOP_ZONE".into(),
        fallback_section: None,
        cookie_var: "SHOP_COOKIE".into(),
    };
    let e = config_ini::release_cookie(&shop, &Given::default(), "till").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}: no `cookie` in [till]; add `cookie = ...` to [till] or set SHOP_COOKIE", file.display())
    );
    let common = Names { fallback_section: Some("common".into()), ..shop.clone() };
    assert_eq!(config_ini::release_cookie(&common, &Given::default(), "till").unwrap().value(), "shared");
    // The cookie variable comes first, said as the release's.
    let given = Given { cookie: Some("from_env".into()), ..Given::default() };
    let cookie = config_ini::release_cookie(&shop, &given, "till").unwrap();
    assert_eq!((cookie.value(), cookie.source()), ("from_env", &CookieSource::Variable("SHOP_COOKIE".into())));
    let missing = Given { file: Some(dir.path().join("none.ini")), ..Given::default() };
    let e = config_ini::release_cookie(&shop, &missing, "till").unwrap_err();
    assert!(e.to_string().starts_with("SHOP_CONFIG names"), "{e}");
}

#[test]
fn a_directory_or_non_utf8_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let e = ConfigIni::load(dir.path()).err().expect("a directory is no config file");
    assert!(matches!(e, ConfigIniError::Unreadable { .. }), "{e:?}");
    let path = dir.path().join("latin1.ini");
    std::fs::write(&path, b"[ecallmgr]\n\ncookie = caf\xe9\n").unwrap();
    let e = ConfigIni::load(&path).err().expect("not UTF-8");
    assert!(matches!(e, ConfigIniError::Malformed { line: 3, .. }), "{e:?}");
}

/// Text made of the pieces config.ini is made of, so that the cases reach deep.
fn config_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("["),
        Just("]"),
        Just("="),
        Just(":"),
        Just("\""),
        Just("'"),
        Just(";"),
        Just("#"),
        Just("\\"),
        Just(" "),
        Just("\t"),
        Just("\n"),
        Just("\r\n"),
        Just("\r"),
        Just("cookie"),
        Just("host"),
        Just("zone"),
        Just("name"),
        Just("vm"),
        Just("z1"),
        Just("ecallmgr"),
        Just("kazoo_apps"),
        Just("é"),
        Just("\u{a0}"),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

fn read_everything(text: &str) {
    let Ok(ini) = ConfigIni::parse("fuzz.ini", text) else { return };
    for node_type in ["ecallmgr", "kazoo_apps"] {
        for kazoo_zone in [None, Some("z1")] {
            let here = ini.here(node_type, "vm", kazoo_zone);
            let _ = ini.cookie(node_type, &here, &kazoo()).map(|c| c.value().len());
            let _ = ini.applicable("zone", &here);
        }
    }
}

proptest! {
    // Bounded so that CI stays quick; raise PROPTEST_CASES locally to search longer.
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_input_makes_the_reader_panic(text in config_like()) {
        read_everything(&text);
    }

    #[test]
    fn no_arbitrary_text_makes_the_reader_panic(text in any::<String>()) {
        read_everything(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_bytes_make_the_loader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &bytes).unwrap();
        let _ = ConfigIni::load(Path::new(file.path()));
    }
}
