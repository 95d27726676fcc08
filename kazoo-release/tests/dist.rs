//! The distribution client against real nodes (`erl -name`), each with its own name and cookie.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use kazoo_release::dist::{is_running, Client, DistError};
use kazoo_release::node::{hostname, NodeName};

const TIMEOUT: Duration = Duration::from_secs(10);

/// A node for one test, killed when dropped.
struct TestNode {
    child: Child,
    name: NodeName,
    cookie: String,
}

impl TestNode {
    fn start() -> TestNode {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let id = format!("dist_{}_{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed));
        let name = NodeName { name: id.clone(), host: hostname().unwrap() };
        let cookie = format!("cookie_{id}");
        // A test fixture: the product itself never puts a cookie on a command line.
        let child = Command::new("erl")
            .args(["-noshell", "-name", &name.to_string(), "-setcookie", &cookie])
            .stdin(Stdio::null())
            .spawn()
            .expect("erl runs");
        let node = TestNode { child, name, cookie };
        node.wait_up();
        node
    }

    fn wait_up(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            // Distribution comes up while kernel is still starting: wait until it has started.
            let booted = Client::connect(&self.name, &self.cookie, TIMEOUT, "dist_test")
                .and_then(|mut c| c.versions())
                .is_ok_and(|v| v.applications.iter().any(|(app, _)| app == "kernel"));
            if booted {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("node {} did not come up", self.name);
    }

    fn client(&self) -> Client {
        Client::connect(&self.name, &self.cookie, TIMEOUT, "dist_test").unwrap()
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn ping_pid_and_versions() {
    let node = TestNode::start();
    let mut client = node.client();
    client.ping().unwrap();
    assert_eq!(client.os_pid().unwrap(), node.child.id());
    let versions = client.versions().unwrap();
    assert!(versions.applications.iter().any(|(app, _)| app == "kernel"), "{versions:?}");
}

#[test]
fn eval_prints_remote_output_then_the_value() {
    let node = TestNode::start();
    let mut out = Vec::new();
    let value = node.client().eval(r#"io:format("hi ~s ~p~n", ["there", x]), io:put_chars(<<"é\n"/utf8>>), {ok, [1,2]}"#, &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "hi there x\né\n");
    assert_eq!(value, "{ok,[1,2]}");
}

#[test]
fn parse_errors_come_with_their_column() {
    let node = TestNode::start();
    let error = node.client().eval("1 + + .", &mut Vec::new()).unwrap_err();
    assert!(matches!(&error, DistError::Parse { line: 1, column: 7, .. }), "{error:?}");
    let error = node.client().apply("lists", "seq", &["1".into(), "{2".into()], &mut Vec::new()).unwrap_err();
    assert!(matches!(&error, DistError::Parse { what, .. } if what == "argument 2"), "{error:?}");
}

#[test]
fn rpc_applies_terms_and_reports_badrpc() {
    let node = TestNode::start();
    let mut client = node.client();
    assert_eq!(client.apply("lists", "reverse", &["[a, \"b\", {c}]".into()], &mut Vec::new()).unwrap(), "[{c},\"b\",a]");
    let error = client.apply("no_such_module", "f", &[], &mut Vec::new()).unwrap_err();
    assert!(matches!(&error, DistError::Badrpc { reason, .. } if reason.contains("undefined function no_such_module:f/0")), "{error:?}");
    let error = client.call("no_such_module", "f", vec![], &mut Vec::new()).unwrap_err();
    assert!(matches!(&error, DistError::Badrpc { reason, .. } if reason.contains("undef")), "{error:?}");
}

#[test]
fn a_wrong_cookie_is_rejected() {
    let node = TestNode::start();
    let error = Client::connect(&node.name, "not_the_cookie", TIMEOUT, "dist_test").err().unwrap();
    assert!(matches!(error, DistError::CookieRejected { .. }), "{error:?}");
}

#[test]
fn a_node_that_is_down_is_not_registered() {
    let name = NodeName { name: format!("never_started_{}", std::process::id()), host: hostname().unwrap() };
    let error = Client::connect(&name, "x", TIMEOUT, "dist_test").err().unwrap();
    assert!(matches!(error, DistError::NotRegistered { .. }), "{error:?}");
}

#[test]
fn a_slow_call_times_out() {
    let node = TestNode::start();
    let mut client = Client::connect(&node.name, &node.cookie, Duration::from_millis(300), "dist_test").unwrap();
    let started = Instant::now();
    let error = client.eval("timer:sleep(5000)", &mut Vec::new()).unwrap_err();
    assert!(matches!(error, DistError::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn stop_returns_once_the_process_is_gone() {
    let node = TestNode::start();
    let pid = node.child.id();
    node.client().stop(Duration::from_secs(20)).unwrap();
    assert!(!is_running(pid), "the VM still runs after stop returned");
}

#[test]
fn many_clients_at_once() {
    let node = TestNode::start();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..10 {
                    let mut client = node.client();
                    assert_eq!(client.os_pid().unwrap(), node.child.id());
                    assert_eq!(client.eval("6 * 7", &mut Vec::new()).unwrap(), "42");
                }
            });
        }
    });
}
