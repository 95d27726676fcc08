//! The spec's overlays, as relx applies them: `mkdir`, `copy`, `template` and `chmod`, in
//! the order declared, after everything else is written.
//!
//! `from` names a source the build step embedded (a file, or every file of a directory),
//! so the binary writes overlays with nothing of the build tree; `to` and `path` are
//! relative to the release root, which they may not leave.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use handlebars::Handlebars;
use serde_json::json;

use crate::embed::OverlayFile;
use crate::spec::Overlay;

use super::error::AssembleError;
use super::layout::Layout;
use super::plan::Plan;

pub(crate) fn apply(plan: &Plan, layout: &Layout) -> Result<(), AssembleError> {
    for overlay in &plan.spec.overlays {
        apply_one(plan, layout, overlay)?;
    }
    Ok(())
}

fn apply_one(plan: &Plan, layout: &Layout, overlay: &Overlay) -> Result<(), AssembleError> {
    let inside = |path: &str| inside_release(layout, overlay, path);
    match overlay {
        Overlay::Mkdir { path } => {
            let dir = inside(path)?;
            fs::create_dir_all(&dir).map_err(AssembleError::io("create directory", dir))
        }
        Overlay::Copy { from, to } => copy(plan, from, &inside(to)?, overlay),
        Overlay::Template { from, to } => template(plan, from, &inside(to)?, overlay),
        Overlay::Chmod { mode, path } => {
            let path = inside(path)?;
            fs::set_permissions(&path, fs::Permissions::from_mode(*mode)).map_err(AssembleError::io("chmod", path))
        }
    }
}

/// `path` under the release root; an absolute path or one with `..` is refused, so an
/// overlay cannot write outside the release.
fn inside_release(layout: &Layout, overlay: &Overlay, path: &str) -> Result<PathBuf, AssembleError> {
    let escapes = Path::new(path).components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    match escapes {
        true => Err(overlay_error(overlay, format!("`{path}` leaves the release directory"))),
        false => Ok(layout.root.join(path)),
    }
}

/// A file, or a whole directory, as relx's `copy` does; into an existing directory it goes
/// under its own name.
fn copy(plan: &Plan, from: &str, to: &Path, overlay: &Overlay) -> Result<(), AssembleError> {
    let files = embedded(plan, from, overlay)?;
    let is_file = matches!(files.as_slice(), [("", _)]);
    let to = match (to.is_dir(), Path::new(from).file_name()) {
        (true, Some(name)) => to.join(name),
        _ => to.to_owned(),
    };
    for (inner, file) in files {
        let target = if is_file { to.clone() } else { to.join(inner) };
        write_file(&target, file.bytes)?;
        fs::set_permissions(&target, fs::Permissions::from_mode(file.mode))
            .map_err(AssembleError::io("chmod", &target))?;
    }
    Ok(())
}

/// The embedded files of source `from`; none means the binary was built from another spec.
fn embedded(
    plan: &Plan,
    from: &str,
    overlay: &Overlay,
) -> Result<Vec<(&'static str, &'static OverlayFile)>, AssembleError> {
    let files = plan.embedded.overlay(from);
    match files.is_empty() {
        true => Err(overlay_error(
            overlay,
            format!("`{from}` was not embedded by the build: rebuild the binary with `cargo build`"),
        )),
        false => Ok(files),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), AssembleError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(AssembleError::io("create directory", parent))?;
    }
    fs::write(path, bytes).map_err(AssembleError::io("write", path))
}

/// A Handlebars template (strict: an unknown variable is an error) given the release's
/// name, version, ERTS version, profile and node types.
fn template(plan: &Plan, from: &str, to: &Path, overlay: &Overlay) -> Result<(), AssembleError> {
    let file = match embedded(plan, from, overlay)?.as_slice() {
        [("", file)] => *file,
        _ => return Err(overlay_error(overlay, format!("`{from}` is a directory; a template is one file"))),
    };
    let text = std::str::from_utf8(file.bytes)
        .map_err(|e| overlay_error(overlay, format!("`{from}` is not UTF-8 text: {e}")))?;
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
    let rendered = registry.render_template(text, &context).map_err(|e| AssembleError::Template {
        overlay: describe(overlay),
        from: from.into(),
        message: e.to_string(),
    })?;
    write_file(to, rendered.as_bytes())
}

fn overlay_error(overlay: &Overlay, problem: String) -> AssembleError {
    AssembleError::Overlay { overlay: describe(overlay), problem }
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
