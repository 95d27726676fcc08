//! The default Handlebars templates of a kazoo-release release: `relx.config.hbs`,
//! `vm.args.hbs` and `sys.config.hbs`, built into this crate. kazoo-release renders each
//! one unless the release's own template folder (`rel/`) has a file of that name; copy one
//! from here to start an override.

/// The rendered files, by template name.
pub const RELX_CONFIG: &str = "relx.config";
pub const VM_ARGS: &str = "vm.args";
pub const SYS_CONFIG: &str = "sys.config";
/// Every template, in the order the build renders them.
pub const NAMES: [&str; 3] = [RELX_CONFIG, VM_ARGS, SYS_CONFIG];

/// Every template's name and default text.
pub const DEFAULTS: [(&str, &str); 3] = [
    (RELX_CONFIG, include_str!("../relx.config.hbs")),
    (VM_ARGS, include_str!("../vm.args.hbs")),
    (SYS_CONFIG, include_str!("../sys.config.hbs")),
];

/// The default text of template `name` (one of [`NAMES`]).
pub fn default_text(name: &str) -> Option<&'static str> {
    DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// Where the default of template `name` lives, as error messages name it.
pub fn origin(name: &str) -> String {
    format!("rel-templates/{name}.hbs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_its_template() {
        for name in NAMES {
            assert!(default_text(name).is_some_and(|t| !t.is_empty()), "{name}");
        }
        assert_eq!(default_text("app.config"), None);
    }
}
