//! `lib/<app>-<vsn>/` for every application: `ebin/` and `priv/` (NIF libraries included),
//! `src/` and `include/` too when the spec asks for sources; symlinked in dev mode. With
//! `strip_beams`, the copied `ebin/*.beam` files lose their debug info (a symlinked
//! application is never touched: it is the build tree's own).

use std::path::Path;

use crate::apps::{Origin, ResolvedApp};

use super::copy::CopyPlan;
use super::error::AssembleError;
use super::layout::Layout;

/// The subdirectories an application ships: what runs, and its sources only on request.
fn shipped(name: &Path, include_src: bool) -> bool {
    match name.to_str() {
        Some("ebin" | "priv") => true,
        Some("src" | "include") => include_src,
        _ => false,
    }
}

/// Adds every application to `plan`. In dev mode an application from the lib dirs becomes a
/// symlink to where it was built, so that a rebuild shows up without a new release; OTP's
/// own applications are copied all the same, since the release must not depend on what
/// `apt` does to the system install.
pub(crate) fn add_apps(
    plan: &mut CopyPlan,
    layout: &Layout,
    apps: &[ResolvedApp],
    include_src: bool,
    dev_mode: bool,
    strip_beams: bool,
) -> Result<(), AssembleError> {
    for app in apps {
        let to = layout.app_dir(&app.name, &app.vsn);
        match (&app.origin, dev_mode) {
            (Origin::LibDir(_), true) => plan.add_link(&absolute(&app.dir)?, &to),
            _ => {
                let owner = format!("application `{}`", app.name);
                plan.add_app_tree(&owner, &app.dir, &to, &|name| shipped(name, include_src), strip_beams)?
            }
        }
    }
    Ok(())
}

/// A symlink must be absolute: the release root is not where the lib dirs are relative to.
fn absolute(dir: &Path) -> Result<std::path::PathBuf, AssembleError> {
    std::path::absolute(dir).map_err(AssembleError::io("find the absolute path of", dir))
}

#[cfg(test)]
mod tests {
    use super::super::progress::Progress;
    use super::*;

    /// An application with what a build leaves beside `ebin/`: sources, headers, docs.
    fn app(dir: &Path) -> ResolvedApp {
        for (file, text) in [
            ("ebin/demo.app", "{application, demo, [{vsn, \"1.0\"}]}.\n"),
            ("priv/data.txt", "data\n"),
            ("src/demo.erl", "-module(demo).\n"),
            ("include/demo.hrl", "-define(X, 1).\n"),
            ("doc/index.html", "<html/>\n"),
        ] {
            std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.join(file), text).unwrap();
        }
        ResolvedApp {
            name: "demo".into(),
            vsn: "1.0".into(),
            dir: dir.to_owned(),
            origin: Origin::LibDir(dir.parent().unwrap().to_owned()),
            start_type: Default::default(),
            applications: Vec::new(),
            included_applications: Vec::new(),
            modules: Vec::new(),
        }
    }

    /// What `lib/demo-1.0/` holds after a copy with `include_src`.
    fn shipped_with(include_src: bool) -> Vec<&'static str> {
        let tmp = tempfile::tempdir().unwrap();
        let apps = [app(&tmp.path().join("apps/demo"))];
        let layout = Layout::new(tmp.path().join("rel"), "1");
        let mut plan = CopyPlan::default();
        add_apps(&mut plan, &layout, &apps, include_src, false, false).unwrap();
        plan.run(&Progress::new(0), 1).unwrap();
        let lib = layout.app_dir("demo", "1.0");
        ["ebin/demo.app", "priv/data.txt", "src/demo.erl", "include/demo.hrl", "doc/index.html"]
            .into_iter()
            .filter(|file| lib.join(file).is_file())
            .collect()
    }

    #[test]
    fn sources_ship_only_with_include_src() {
        assert_eq!(shipped_with(false), ["ebin/demo.app", "priv/data.txt"]);
        assert_eq!(shipped_with(true), ["ebin/demo.app", "priv/data.txt", "src/demo.erl", "include/demo.hrl"]);
    }
}
