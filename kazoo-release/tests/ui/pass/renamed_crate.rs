// A project that renames the dependency (`kr = { package = "kazoo-release", ... }` in its
// Cargo.toml) tells the derive where the crate is.
extern crate kazoo_release as kr;

#[derive(kr::Release)]
#[release(crate = kr, name = renamed, version = "1.0.0")]
#[node(name = renamed, apps = [sasl])]
pub struct Renamed;

fn main() {
    let spec = <Renamed as kr::Release>::spec().unwrap();
    assert_eq!((spec.name.as_str(), spec.version.as_deref()), ("renamed", Some("1.0.0")));
}
