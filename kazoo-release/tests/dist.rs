//! The distribution client against real nodes (`erl -name`), each with its own name and cookie.

use std::time::{Duration, Instant};

use kazoo_release::dist::{is_running, Client, DistError, Reach};
use kazoo_release::node::{hostname, NodeName};

#[path = "../../tests/support/mod.rs"]
mod support;

use support::ErlNode;

const TIMEOUT: Duration = Duration::from_secs(10);

/// A node for one test, behind an EPMD of its own, killed when dropped.
fn start() -> ErlNode {
    ErlNode::named("dist").start()
}

/// How the client reaches `node`: the port of its EPMD is given, as the runtime context
/// gives `ERL_EPMD_PORT`'s.
fn reach(node: &ErlNode) -> Reach {
    Reach::new("dist_test", Some(node.epmd_port()))
}

fn client(node: &ErlNode) -> Client {
    Client::connect(&node.name, &node.cookie, TIMEOUT, &reach(node)).unwrap()
}

#[test]
fn ping_pid_and_versions() {
    let node = start();
    let mut client = client(&node);
    client.ping().unwrap();
    assert_eq!(client.os_pid().unwrap(), node.pid());
    let versions = client.versions().unwrap();
    assert!(versions.applications.iter().any(|(app, _)| app == "kernel"), "{versions:?}");
}

#[test]
fn eval_prints_remote_output_then_the_value() {
    let node = start();
    let mut out = Vec::new();
    let value = client(&node)
        .eval(r#"io:format("hi ~s ~p~n", ["there", x]), io:put_chars(<<"é\n"/utf8>>), {ok, [1,2]}"#, &mut out)
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "hi there x\né\n");
    assert_eq!(value, "{ok,[1,2]}");
}

#[test]
fn parse_errors_come_with_their_column() {
    let node = start();
    let error = client(&node).eval("1 + + .", &mut Vec::new()).unwrap_err();
    assert!(matches!(&error, DistError::Parse { line: 1, column: 7, .. }), "{error:?}");
    let error = client(&node).apply("lists", "seq", &["1".into(), "{2".into()], &mut Vec::new()).unwrap_err();
    assert!(matches!(&error, DistError::Parse { what, .. } if what == "argument 2"), "{error:?}");
}

#[test]
fn rpc_applies_terms_and_reports_badrpc() {
    let node = start();
    let mut client = client(&node);
    assert_eq!(
        client.apply("lists", "reverse", &["[a, \"b\", {c}]".into()], &mut Vec::new()).unwrap(),
        "[{c},\"b\",a]"
    );
    let error = client.apply("no_such_module", "f", &[], &mut Vec::new()).unwrap_err();
    assert!(
        matches!(&error, DistError::Badrpc { reason, .. } if reason.contains("undefined function no_such_module:f/0")),
        "{error:?}"
    );
    let error = client.call("no_such_module", "f", vec![], &mut Vec::new()).unwrap_err();
    assert!(matches!(&error, DistError::Badrpc { reason, .. } if reason.contains("undef")), "{error:?}");
}

#[test]
fn a_wrong_cookie_is_rejected() {
    let node = start();
    let error = Client::connect(&node.name, "not_the_cookie", TIMEOUT, &reach(&node)).err().unwrap();
    assert!(matches!(error, DistError::CookieRejected { .. }), "{error:?}");
}

#[test]
fn a_node_that_is_down_is_not_registered() {
    // A node of this test keeps its EPMD up: what is missing is only the name asked for.
    let up = start();
    let name = NodeName { name: format!("never_started_{}", std::process::id()), host: hostname().unwrap() };
    let error = Client::connect(&name, "x", TIMEOUT, &reach(&up)).err().unwrap();
    assert!(matches!(error, DistError::NotRegistered { .. }), "{error:?}");
}

#[test]
fn a_slow_call_times_out() {
    let node = start();
    let mut client = Client::connect(&node.name, &node.cookie, Duration::from_millis(300), &reach(&node)).unwrap();
    let started = Instant::now();
    let error = client.eval("timer:sleep(5000)", &mut Vec::new()).unwrap_err();
    assert!(matches!(error, DistError::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn stop_returns_once_the_process_is_gone() {
    let node = start();
    let pid = node.pid();
    Client::connect(&node.name, &node.cookie, Duration::from_secs(20), &reach(&node)).unwrap().stop().unwrap();
    assert!(!is_running(pid), "the VM still runs after stop returned");
}

#[test]
fn many_clients_at_once() {
    let node = start();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..10 {
                    let mut client = client(&node);
                    assert_eq!(client.os_pid().unwrap(), node.pid());
                    assert_eq!(client.eval("6 * 7", &mut Vec::new()).unwrap(), "42");
                }
            });
        }
    });
}
