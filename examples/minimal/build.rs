//! Renders, verifies and embeds the release; rel/vm.args.hbs overrides the default template.

#[path = "src/release.rs"]
mod release;

fn main() {
    kazoo_release::build::build::<release::Hello>();
}
