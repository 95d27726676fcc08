//! The findings as people read them: a report per node type, and the build's warnings, one
//! per calling application, a finding of several node types said once.

use std::collections::BTreeMap;
use std::fmt;

use super::{Mfa, Report, Undeclared, Undefined, Why};

pub(super) fn as_text<S: serde::Serializer>(call: &Mfa, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(call)
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Why::NotExported { app } => write!(f, "{app} has the module, not the function"),
            Why::NotInNodeType { app } => write!(f, "in {app}, which the node type does not carry"),
            Why::NoSuchModule => write!(f, "no application has the module"),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(
            f,
            "node type {}: {} modules, {} undefined calls, {} calls into applications not depended on, {} ignored",
            self.node,
            self.modules,
            self.undefined.len(),
            self.undeclared.len(),
            self.ignored
        )?;
        if !self.undefined.is_empty() {
            writeln!(f, "undefined calls:")?;
        }
        for ((app, _), calls) in grouped(self.undefined.iter().map(|u| ((u.app.as_str(), ""), u))) {
            writeln!(f, "  {app}")?;
            for u in calls {
                writeln!(f, "    {}: {} ({})", u.module, u.call, u.why)?;
            }
        }
        if !self.undeclared.is_empty() {
            writeln!(f, "calls into applications not depended on:")?;
        }
        for ((app, callee), calls) in
            grouped(self.undeclared.iter().map(|u| ((u.app.as_str(), u.callee_app.as_str()), u)))
        {
            writeln!(f, "  {app} -> {callee} (add {callee} to {app}'s applications)")?;
            for u in calls {
                writeln!(f, "    {}: {}", u.module, u.call)?;
            }
        }
        let otp = grouped(self.otp_undefined.iter().map(|u| (u.app.as_str(), u)));
        if !otp.is_empty() {
            let counts: Vec<String> = otp.iter().map(|(app, calls)| format!("{app} {}", calls.len())).collect();
            writeln!(f, "undefined calls of OTP's applications (--json lists them): {}", counts.join(", "))?;
        }
        Ok(())
    }
}

/// `items` by key, keys in order, items in theirs.
fn grouped<'a, K: Ord, T>(items: impl Iterator<Item = (K, &'a T)>) -> BTreeMap<K, Vec<&'a T>> {
    let mut groups: BTreeMap<K, Vec<&T>> = BTreeMap::new();
    for (key, item) in items {
        groups.entry(key).or_default().push(item);
    }
    groups
}

/// The build's warnings: one line per calling application of the release's own (its
/// modules and their calls), naming the node types a finding is in; OTP's are left to the
/// report.
pub fn warnings(reports: &[Report]) -> Vec<String> {
    let mut undefined: BTreeMap<&Undefined, Vec<&str>> = BTreeMap::new();
    let mut undeclared: BTreeMap<&Undeclared, Vec<&str>> = BTreeMap::new();
    for report in reports {
        report.undefined.iter().for_each(|u| undefined.entry(u).or_default().push(&report.node));
        report.undeclared.iter().for_each(|u| undeclared.entry(u).or_default().push(&report.node));
    }
    let mut lines = Vec::new();
    let by_app = grouped(undefined.iter().map(|(u, nodes)| ((u.app.as_str(), nodes.join(", ")), *u)));
    for ((app, nodes), calls) in by_app {
        let calls: Vec<String> = calls.iter().map(|u| format!("{} calls {} ({})", u.module, u.call, u.why)).collect();
        lines.push(format!("xref: {app} ({nodes}): {}", calls.join("; ")));
    }
    // Calls into applications not depended on are many in a large release: the modules
    // that make them, by application called; the report lists the calls.
    let by_app = grouped(undeclared.iter().map(|(u, nodes)| ((u.app.as_str(), nodes.join(", ")), *u)));
    for ((app, nodes), calls) in by_app {
        let by_callee = grouped(calls.iter().map(|u| (u.callee_app.as_str(), *u)));
        let callees: Vec<String> = by_callee
            .iter()
            .map(|(callee, calls)| {
                let mut modules: Vec<&str> = calls.iter().map(|u| u.module.as_str()).collect();
                modules.dedup();
                format!("{callee} (from {})", modules.join(", "))
            })
            .collect();
        lines.push(format!(
            "xref: {app} ({nodes}) calls into applications it does not depend on (add them to its applications; the xref command lists the calls): {}",
            callees.join("; ")
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(text: &str) -> Mfa {
        let (module, rest) = text.split_once(':').unwrap();
        let (function, arity) = rest.split_once('/').unwrap();
        Mfa { module: module.into(), function: function.into(), arity: arity.parse().unwrap() }
    }

    fn report(node: &str) -> Report {
        Report {
            node: node.into(),
            modules: 3,
            undefined: vec![
                Undefined {
                    app: "couch".into(),
                    module: "couch_util".into(),
                    call: call("crypto:hmac/3"),
                    why: Why::NotExported { app: "crypto".into() },
                },
                Undefined {
                    app: "couch".into(),
                    module: "couch_web".into(),
                    call: call("xmerl:export/2"),
                    why: Why::NotInNodeType { app: "xmerl".into() },
                },
            ],
            undeclared: vec![Undeclared {
                app: "couch".into(),
                module: "couch_log".into(),
                call: call("lager:md/1"),
                callee_app: "lager".into(),
            }],
            otp_undefined: vec![Undefined {
                app: "stdlib".into(),
                module: "erl_compile".into(),
                call: call("compile:file/2"),
                why: Why::NotInNodeType { app: "compiler".into() },
            }],
            ignored: 1,
        }
    }

    #[test]
    fn a_report_groups_by_calling_application() {
        let text = report("ecallmgr").to_string();
        assert_eq!(
            text,
            "node type ecallmgr: 3 modules, 2 undefined calls, 1 calls into applications not depended on, 1 ignored\n\
             undefined calls:\n  couch\n    couch_util: crypto:hmac/3 (crypto has the module, not the function)\n    \
             couch_web: xmerl:export/2 (in xmerl, which the node type does not carry)\n\
             calls into applications not depended on:\n  couch -> lager (add lager to couch's applications)\n    \
             couch_log: lager:md/1\n\
             undefined calls of OTP's applications (--json lists them): stdlib 1\n"
        );
    }

    #[test]
    fn a_finding_of_two_node_types_is_one_warning_naming_both() {
        let mut other = report("kazoo_apps");
        other.undefined.truncate(1);
        let lines = warnings(&[report("ecallmgr"), other]);
        assert_eq!(
            lines,
            [
                "xref: couch (ecallmgr): couch_web calls xmerl:export/2 (in xmerl, which the node type does not carry)",
                "xref: couch (ecallmgr, kazoo_apps): couch_util calls crypto:hmac/3 (crypto has the module, not the function)",
                "xref: couch (ecallmgr, kazoo_apps) calls into applications it does not depend on (add them to its applications; the xref command lists the calls): lager (from couch_log)",
            ]
        );
    }

    #[test]
    fn the_json_names_calls_as_text() {
        let json = serde_json::to_value(report("ecallmgr")).unwrap();
        assert_eq!(json["undefined"][0]["call"], "crypto:hmac/3");
        assert_eq!(json["undefined"][0]["why"], serde_json::json!({"kind": "not_exported", "app": "crypto"}));
        assert_eq!(json["undeclared"][0]["callee_app"], "lager");
    }
}
