//! Reads every rendered file back before it is embedded: Erlang files through the term
//! parser, vm.args line by line. A template that renders nonsense fails the build here,
//! not when a node boots.

use super::emit::RenderedFile;
use crate::apps::Resolved;
use crate::term::{self, Term};
use crate::vm_args::Modules;

/// A rendered file that is not what Erlang will accept.
#[derive(Debug, thiserror::Error)]
#[error("{what} rendered from {template} (profile {profile}{}) is invalid at line {line}, column {column}: {message}\n  {line} | {text}",
    node.as_ref().map(|n| format!(", node type {n}")).unwrap_or_default())]
pub struct VerifyError {
    /// `relx.config`, `vm.args` or `sys.config`.
    pub what: &'static str,
    /// The template file it came from.
    pub template: String,
    pub profile: String,
    pub node: Option<String>,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending rendered line.
    pub text: String,
}

/// Where a rendered file came from, for its errors.
struct Origin<'a> {
    what: &'static str,
    template: &'a str,
    profile: &'a str,
    node: Option<&'a str>,
    rendered: &'a str,
}

impl Origin<'_> {
    fn error(&self, line: usize, column: usize, message: impl Into<String>) -> VerifyError {
        VerifyError {
            what: self.what,
            template: self.template.to_owned(),
            profile: self.profile.to_owned(),
            node: self.node.map(str::to_owned),
            line,
            column,
            message: message.into(),
            text: self.rendered.lines().nth(line.saturating_sub(1)).unwrap_or_default().to_owned(),
        }
    }

    fn parse(&self) -> Result<Vec<Term>, VerifyError> {
        term::parse_str(self.rendered, self.what).map_err(|e| self.error(e.line, e.column, e.message))
    }
}

/// relx.config: any sequence of terms that parses.
pub(super) fn erlang_file(
    rendered: &str,
    template: &str,
    profile: &str,
    node: Option<&str>,
) -> Result<(), VerifyError> {
    let origin = Origin { what: "relx.config", template, profile, node, rendered };
    origin.parse().map(drop)
}

/// sys.config: exactly one term, a list of `{Application, Environment}`.
pub(super) fn sys_config(rendered: &str, template: &str, profile: &str, node: &str) -> Result<(), VerifyError> {
    let origin = Origin { what: "sys.config", template, profile, node: Some(node), rendered };
    let terms = origin.parse()?;
    let last_line = rendered.lines().count();
    let [config] = terms.as_slice() else {
        return Err(origin.error(last_line, 1, format!("expected one term, a list, found {}", terms.len())));
    };
    let entries = config.as_list().ok_or_else(|| origin.error(1, 1, "expected a list of {Application, Env}"))?;
    for entry in entries {
        let is_app_env =
            matches!(entry.as_tuple(), Some([app, env]) if app.as_atom().is_some() && env.as_list().is_some());
        if !is_app_env {
            return Err(origin.error(1, 1, format!("expected {{Application, [...]}}, found {entry}")));
        }
    }
    Ok(())
}

/// vm.args: each line a `-flag ...` or `+flag ...`, comments with `#`, checked by
/// [`crate::vm_args`] (the checker a node's start runs on an operator's vm.args too); with
/// `modules`, `-s M` and `-run M` must name one of the node type's modules.
pub(super) fn vm_args(
    rendered: &str,
    template: &str,
    profile: &str,
    node: &str,
    modules: Option<&Modules>,
) -> Result<(), VerifyError> {
    let origin = Origin { what: "vm.args", template, profile, node: Some(node), rendered };
    crate::vm_args::check(rendered, modules).map_err(|e| origin.error(e.line, e.column, e.message))
}

/// Every profile's rendered vm.args of node type `resolved.node` again, now that its
/// applications are known: `-s M` and `-run M` must name a module one of them holds.
pub(super) fn start_modules(files: &[RenderedFile], template: &str, resolved: &Resolved) -> Result<(), VerifyError> {
    let apps = resolved.apps.iter().map(|app| (app.name.as_str(), app.modules.as_slice()));
    let modules = Modules::new(&resolved.node, apps);
    let rendered =
        files.iter().filter(|f| f.name == crate::render::VM_ARGS && f.node.as_deref() == Some(&resolved.node));
    for file in rendered {
        vm_args(&file.text, template, &file.profile, &resolved.node, Some(&modules))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::{Origin, ResolvedApp};
    use crate::spec::StartType;

    fn app(name: &str, modules: &[&str]) -> ResolvedApp {
        ResolvedApp {
            name: name.to_owned(),
            vsn: "1.0.0".to_owned(),
            dir: std::path::PathBuf::from(format!("lib/{name}")),
            origin: Origin::Otp,
            start_type: StartType::Permanent,
            applications: vec![],
            included_applications: vec![],
            modules: modules.iter().map(|m| m.to_string()).collect(),
        }
    }

    #[test]
    fn a_bad_rendered_line_fails_the_build_naming_template_line_and_node() {
        let rendered = "## vm.args of node type ecallmgr\n+K true\n+A -1\n";
        let error = vm_args(rendered, "rel/vm.args.hbs", "default", "ecallmgr", None).unwrap_err().to_string();
        assert!(error.contains("vm.args rendered from rel/vm.args.hbs (profile default, node type ecallmgr) is invalid at line 3, column 4"), "{error}");
        assert!(
            error.contains("`+A -1`: the async thread pool size must be an integer in 0..=1024, found `-1`"),
            "{error}"
        );
        assert!(error.ends_with("3 | +A -1"), "{error}");
        // A `raw` line from the spec is rendered like any other.
        let quoted = "-sasl sasl_error_logger '{file, \"log/error_log.sasl\"}'\n";
        assert!(vm_args(quoted, "rel-templates/vm.args.hbs", "ci", "kazoo_apps", None).is_ok());
    }

    #[test]
    fn a_start_module_of_another_node_type_fails_once_apps_are_resolved() {
        let rendered = "+K true\n-s kazoo_apps_app\n";
        let files = |node: &str| RenderedFile::new("default", Some(node), crate::render::VM_ARGS, rendered.to_owned());
        let kazoo_apps = Resolved {
            node: "kazoo_apps".into(),
            apps: vec![app("kernel", &["kernel"]), app("kazoo_apps", &["kazoo_apps_app"])],
        };
        let ecallmgr = Resolved {
            node: "ecallmgr".into(),
            apps: vec![app("kernel", &["kernel"]), app("ecallmgr", &["ecallmgr_app"])],
        };
        let all = [files("kazoo_apps"), files("ecallmgr")];
        assert!(start_modules(&all, "rel/vm.args.hbs", &kazoo_apps).is_ok());
        let error = start_modules(&all, "rel/vm.args.hbs", &ecallmgr).unwrap_err().to_string();
        assert!(error.contains("node type ecallmgr) is invalid at line 2"), "{error}");
        assert!(error.contains("no application of node type ecallmgr holds module `kazoo_apps_app` (its applications: kernel, ecallmgr)"), "{error}");
    }
}
