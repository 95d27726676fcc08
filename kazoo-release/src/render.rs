//! Handlebars rendering of relx.config, vm.args and sys.config from a release spec.
//!
//! Templates are strict (an undefined variable is an error) and never HTML-escaped; values
//! reach Erlang text only through helpers that print typed terms, so a name or a string can
//! never break the syntax of the file it lands in.

use std::path::{Path, PathBuf};

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, JsonTruthy, Output, PathAndJson, RenderContext,
    RenderErrorReason, Renderable,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::spec::{AppSpec, NodeType, Overlay, ReleaseSpec, StartType};
use crate::term::Term;

/// The rendered files, by template name; their defaults come from the `rel-templates` crate.
pub use rel_templates::{NAMES as TEMPLATE_NAMES, RELX_CONFIG, SYS_CONFIG, VM_ARGS};

/// A template that failed to parse or render, located in the template's own text.
#[derive(Debug, thiserror::Error)]
#[error("{origin}:{line}:{column}: {message}{}", node.as_ref().map(|n| format!(" (node type {n})")).unwrap_or_default())]
pub struct RenderError {
    /// The template file (`rel/vm.args.hbs`) or `rel-templates/<name>.hbs` for a
    /// default.
    pub origin: String,
    pub line: usize,
    pub column: usize,
    /// The node type being rendered, for per-node files.
    pub node: Option<String>,
    pub message: String,
}

/// Where each template came from, so errors and `rerun-if-changed` can name the file.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    pub name: &'static str,
    /// The user's override file, `None` for the built-in default.
    pub path: Option<PathBuf>,
}

impl TemplateSource {
    pub fn origin(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => rel_templates::origin(self.name),
        }
    }
}

/// The three templates, loaded and compiled, with the helpers registered.
pub struct Templates {
    registry: Handlebars<'static>,
    pub sources: Vec<TemplateSource>,
}

impl Templates {
    /// The defaults, each replaced by `<dir>/<name>.hbs` when `dir` has one.
    pub fn load(override_dir: Option<&Path>) -> Result<Self, RenderError> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        register_helpers(&mut registry);
        let mut sources = Vec::new();
        for (name, default_text) in rel_templates::DEFAULTS {
            let path = override_dir.map(|dir| dir.join(format!("{name}.hbs"))).filter(|path| path.is_file());
            let source = TemplateSource { name, path };
            let text = match &source.path {
                Some(path) => std::fs::read_to_string(path).map_err(|e| RenderError {
                    origin: source.origin(),
                    line: 0,
                    column: 0,
                    node: None,
                    message: format!("cannot read the template: {e}"),
                })?,
                None => default_text.to_owned(),
            };
            registry.register_template_string(name, text).map_err(|e| template_error(&source, e))?;
            sources.push(source);
        }
        Ok(Templates { registry, sources })
    }

    /// Renders `name` for the release, and for one node type when given.
    pub fn render(
        &self,
        name: &str,
        spec: &ReleaseSpec,
        profile: &str,
        node: Option<&NodeType>,
    ) -> Result<String, RenderError> {
        let context = context(spec, profile, node);
        self.registry.render(name, &context).map_err(|e| RenderError {
            origin: self.origin(name),
            line: e.line_no.unwrap_or(0),
            column: e.column_no.unwrap_or(0),
            node: node.map(|n| n.name.clone()),
            message: match e.reason() {
                // Strict mode's own words are "Failed to access variable in strict mode Some(..)".
                RenderErrorReason::MissingVariable(path) => {
                    let path = path.as_deref().unwrap_or("a name");
                    format!("`{path}` is not defined here; {}", known_names(&context))
                }
                other => other.to_string(),
            },
        })
    }

    /// The file a template came from, as errors name it.
    pub fn origin(&self, name: &str) -> String {
        self.sources.iter().find(|s| s.name == name).map(TemplateSource::origin).unwrap_or_else(|| name.to_owned())
    }
}

fn template_error(source: &TemplateSource, e: handlebars::TemplateError) -> RenderError {
    let (line, column) = e.pos().unwrap_or((0, 0));
    RenderError { origin: source.origin(), line, column, node: None, message: e.reason().to_string() }
}

/// What templates see. `node` is absent (not null) for relx.config, so a per-node template
/// rendered without one fails loudly under strict mode.
fn context(spec: &ReleaseSpec, profile: &str, node: Option<&NodeType>) -> Value {
    let sys_config: Vec<Value> =
        spec.sys_config.apps.iter().map(|(app, env)| json!({ "app": app, "env": env })).collect();
    let mut context = json!({
        "release": { "name": spec.name, "version": spec.version },
        "profile": profile,
        "default_node": spec.default_node,
        "nodes": spec.nodes.iter().map(|n| node_context(spec, n)).collect::<Vec<_>>(),
        "base_apps": spec.base_apps,
        "lib_dirs": spec.lib_dirs.iter().map(|d| &d.path).collect::<Vec<_>>(),
        "include_erts": spec.include_erts,
        "include_src": spec.include_src,
        "dev_mode": spec.dev_mode,
        "vm_args": spec.vm_args,
        "sys_config": sys_config,
        "overlays": spec.overlays,
    });
    if let Some(node) = node {
        context["node"] = node_context(spec, node);
    }
    context
}

/// A node type as templates see it; `release_apps` is what its `.rel` lists, base first.
fn node_context(spec: &ReleaseSpec, node: &NodeType) -> Value {
    let release_apps = [spec.base_apps.as_slice(), &node.apps].concat();
    json!({ "name": node.name, "apps": node.apps, "release_apps": release_apps })
}

/// What a template may name, for an error about a name it may not.
fn known_names(context: &Value) -> String {
    let names: Vec<&str> = context.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    format!("a template sees {} (and, inside `#each` or `#with`, the fields of what it iterates)", names.join(", "))
}

fn register_helpers(registry: &mut Handlebars<'static>) {
    registry.register_helper("if", Box::new(StrictIf { positive: true }));
    registry.register_helper("unless", Box::new(StrictIf { positive: false }));
    registry.register_helper("atom", Box::new(TermHelper(Term::Atom)));
    registry.register_helper("string", Box::new(TermHelper(Term::Charlist)));
    registry.register_helper("term", Box::new(TermHelper(|term: Term| term)));
    registry.register_helper("app", Box::new(TermHelper(app_term)));
    registry.register_helper("overlay", Box::new(TermHelper(overlay_term)));
}

/// A helper that reads its one parameter as `T` and prints it as an Erlang term.
struct TermHelper<T>(fn(T) -> Term);

impl<T: DeserializeOwned> HelperDef for TermHelper<T> {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let param = defined(h, ctx)?;
        let value: T = serde_json::from_value(param.value().clone()).map_err(|e| {
            RenderErrorReason::Other(format!("`{}` cannot print {} as an Erlang term: {e}", h.name(), param.value()))
        })?;
        out.write(&(self.0)(value).pretty())?;
        Ok(())
    }
}

/// The one parameter of helper `h`, which must name a value the context has: strict mode
/// does not reach a helper's parameters, where a missing name would print nothing or be false.
fn defined<'a, 'rc>(h: &'a Helper<'rc>, ctx: &Context) -> Result<&'a PathAndJson<'rc>, RenderErrorReason> {
    let helper = h.name();
    match h.param(0) {
        Some(param) if !param.is_value_missing() => Ok(param),
        Some(param) => {
            let path = param.relative_path().map(String::as_str).unwrap_or("its parameter");
            Err(RenderErrorReason::Other(format!(
                "`{path}` (given to `{helper}`) is not defined here; {}",
                known_names(ctx.data())
            )))
        }
        None => {
            Err(RenderErrorReason::Other(format!("`{helper}` needs one parameter, e.g. `{{{{{helper} node.name}}}}`")))
        }
    }
}

/// `#if` and `#unless` as Handlebars has them, except that a condition on a name the context
/// does not have (`vm_args.kernel_pool`) is an error, not silently false.
struct StrictIf {
    positive: bool,
}

impl HelperDef for StrictIf {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let include_zero = h.hash_get("includeZero").and_then(|v| v.value().as_bool()).unwrap_or(false);
        let truthy = defined(h, ctx)?.value().is_truthy(include_zero);
        match if truthy == self.positive { h.template() } else { h.inverse() } {
            Some(template) => template.render(r, ctx, rc, out),
            None => Ok(()),
        }
    }
}

/// An application as a `.rel`/relx release entry: `Name`, `{Name, Type}`, `{Name, Vsn}` or
/// `{Name, Vsn, Type}`.
fn app_term(app: AppSpec) -> Term {
    let name = Term::Atom(app.name);
    let start_type = (app.start_type != StartType::Permanent).then(|| Term::atom(app.start_type.as_str()));
    match (app.version.map(Term::Charlist), start_type) {
        (None, None) => name,
        (version, start_type) => Term::Tuple([Some(name), version, start_type].into_iter().flatten().collect()),
    }
}

/// An overlay as relx writes it; paths inside the release are relative to `{{output_dir}}`.
fn overlay_term(overlay: Overlay) -> Term {
    let output = |path: String| Term::Charlist(format!("{{{{output_dir}}}}/{path}"));
    let source = Term::Charlist;
    match overlay {
        Overlay::Mkdir { path } => Term::Tuple(vec![Term::atom("mkdir"), Term::Charlist(path)]),
        Overlay::Copy { from, to } => Term::Tuple(vec![Term::atom("copy"), source(from), output(to)]),
        Overlay::Template { from, to } => Term::Tuple(vec![Term::atom("template"), source(from), output(to)]),
        Overlay::Chmod { mode, path } => {
            Term::Tuple(vec![Term::atom("chmod"), Term::Integer(mode.into()), output(path)])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `vm.args` from a template of `text` in a directory of its own, for a spec of
    /// one node type.
    fn render_vm_args(text: &str) -> Result<String, RenderError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vm.args.hbs"), text).unwrap();
        let templates = Templates::load(Some(dir.path()))?;
        let spec = ReleaseSpec {
            version: Some("1.0.0".into()),
            default_node: "web".into(),
            nodes: vec![NodeType { name: "web".into(), apps: vec![] }],
            ..ReleaseSpec::empty("demo")
        };
        templates.render(VM_ARGS, &spec, "default", Some(&spec.nodes[0])).map_err(|mut e| {
            // The temporary directory's name changes from run to run.
            e.origin = e.origin.replace(&dir.path().display().to_string(), "rel");
            e
        })
    }

    fn error(text: &str) -> String {
        render_vm_args(text).expect_err("the template should not render").to_string()
    }

    #[test]
    fn a_helper_on_an_undefined_name_names_the_name_the_helper_and_the_line() {
        let message = error("## ok\n-name {{atom node.nam}}\n");
        assert!(
            message.starts_with("rel/vm.args.hbs:2:7: `node.nam` (given to `atom`) is not defined here"),
            "{message}"
        );
        assert!(
            message.contains("a template sees base_apps, default_node, ") && message.ends_with("(node type web)"),
            "{message}"
        );
        assert!(!message.contains("param at index"), "{message}");
    }

    #[test]
    fn a_condition_on_an_undefined_name_is_an_error_not_false() {
        let message = error("{{#if vm_args.async_threads}}+A 1{{/if}}\n{{#if vm_args.kernel_pool}}+K true{{/if}}\n");
        assert!(
            message.starts_with("rel/vm.args.hbs:2:1: `vm_args.kernel_pool` (given to `if`) is not defined here"),
            "{message}"
        );
        let message = error("{{#unless release.nmae}}x{{/unless}}\n");
        assert!(message.contains("`release.nmae` (given to `unless`) is not defined here"), "{message}");
        // A name that is there, null or false, is simply false.
        assert_eq!(render_vm_args("{{#if vm_args.async_threads}}+A{{else}}none{{/if}}\n").unwrap(), "none\n");
        assert_eq!(render_vm_args("{{#unless include_src}}no sources{{/unless}}\n").unwrap(), "no sources\n");
    }

    #[test]
    fn an_undefined_variable_is_named_without_rusts_debug_syntax() {
        let message = error("## vm.args\n\n+A {{vm_args.async_thread}}\n");
        assert!(
            message.starts_with("rel/vm.args.hbs:3:4: `vm_args.async_thread` is not defined here; a template sees "),
            "{message}"
        );
        assert!(!message.contains("Some(") && !message.contains("strict mode"), "{message}");
        let message = error("{{#each vm_args.raww}}{{this}}{{/each}}\n");
        assert!(message.contains("`vm_args.raww` is not defined here"), "{message}");
    }
}
