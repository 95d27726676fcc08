//! The spec's overlays, as relx applies them: `mkdir`, `copy`, `template` and `chmod`, in
//! the order declared, after everything else is written.
//!
//! `from` is relative to the package that was built (the build step checked it exists and
//! embedded where the package is), so the binary finds it from any directory; `to` and
//! `path` are relative to the release root, which they may not leave.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use handlebars::Handlebars;
use serde_json::json;

use crate::spec::Overlay;

use super::copy::CopyPlan;
use super::error::AssembleError;
use super::layout::Layout;
use super::plan::Plan;
use super::progress::Progress;

pub(crate) fn apply(plan: &Plan, layout: &Layout) -> Result<(), AssembleError> {
    for overlay in &plan.spec.overlays {
        apply_one(plan, layout, overlay)?;
    }
    Ok(())
}

fn apply_one(plan: &Plan, layout: &Layout, overlay: &Overlay) -> Result<(), AssembleError> {
    let inside = |path: &str| inside_release(plan, layout, overlay, path);
    match overlay {
        Overlay::Mkdir { path } => {
            let dir = inside(path)?;
            fs::create_dir_all(&dir).map_err(AssembleError::io("create directory", dir))
        }
        Overlay::Copy { from, to } => copy(plan, &plan.project_dir.join(from), &inside(to)?, overlay),
        Overlay::Template { from, to } => template(plan, &plan.project_dir.join(from), &inside(to)?, overlay),
        Overlay::Chmod { mode, path } => {
            let path = inside(path)?;
            fs::set_permissions(&path, fs::Permissions::from_mode(*mode)).map_err(AssembleError::io("chmod", path))
        }
    }
}

/// `path` under the release root; an absolute path or one with `..` is refused, so an
/// overlay cannot write outside the release.
fn inside_release(plan: &Plan, layout: &Layout, overlay: &Overlay, path: &str) -> Result<PathBuf, AssembleError> {
    let escapes = Path::new(path).components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    match escapes {
        true => Err(overlay_error(plan, overlay, format!("`{path}` leaves the release directory"))),
        false => Ok(layout.root.join(path)),
    }
}

/// A file, or a whole directory, as relx's `copy` does; into an existing directory it goes
/// under its own name.
fn copy(plan: &Plan, from: &Path, to: &Path, overlay: &Overlay) -> Result<(), AssembleError> {
    let meta = fs::metadata(from)
        .map_err(|e| overlay_error(plan, overlay, format!("cannot read {}: {e}", from.display())))?;
    let to = match (to.is_dir(), from.file_name()) {
        (true, Some(name)) => to.join(name),
        _ => to.to_owned(),
    };
    let mut copies = CopyPlan::default();
    let owner = format!("overlay {}", describe(overlay));
    match meta.is_dir() {
        true => copies.add_tree(&owner, from, &to, &|_| true)?,
        false => {
            let parent = to.parent().unwrap_or(Path::new("."));
            fs::create_dir_all(parent).map_err(AssembleError::io("create directory", parent))?;
            copies.add_file(&owner, from, &to, meta.len());
        }
    }
    copies.run(&Progress::new(0), 1)
}

/// A Handlebars template (strict: an unknown variable is an error) given the release's
/// name, version, ERTS version, profile and node types.
fn template(plan: &Plan, from: &Path, to: &Path, overlay: &Overlay) -> Result<(), AssembleError> {
    let text = fs::read_to_string(from)
        .map_err(|e| overlay_error(plan, overlay, format!("cannot read {}: {e}", from.display())))?;
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(handlebars::no_escape);
    let context = json!({
        "release_name": plan.spec.name,
        "release_version": plan.vsn,
        "erts_vsn": plan.otp.erts_vsn,
        "profile": plan.profile,
        "default_node": plan.spec.default_node,
        "nodes": plan.spec.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
    });
    let rendered = registry.render_template(&text, &context).map_err(|e| AssembleError::Template {
        overlay: describe(overlay),
        from: from.to_owned(),
        message: e.to_string(),
    })?;
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(AssembleError::io("create directory", parent))?;
    }
    fs::write(to, rendered).map_err(AssembleError::io("write", to))
}

fn overlay_error(plan: &Plan, overlay: &Overlay, problem: String) -> AssembleError {
    AssembleError::Overlay { overlay: describe(overlay), problem, project: plan.project_dir.clone() }
}

/// The overlay as the spec reads: `copy "a" -> "b"`.
fn describe(overlay: &Overlay) -> String {
    match overlay {
        Overlay::Mkdir { path } => format!("mkdir {path:?}"),
        Overlay::Copy { from, to } => format!("copy {from:?} -> {to:?}"),
        Overlay::Template { from, to } => format!("template {from:?} -> {to:?}"),
        Overlay::Chmod { mode, path } => format!("chmod {mode:o} {path:?}"),
    }
}
