// One node type needs no default_node; names may be strings; any struct shape, generics too.
use kazoo_release::Release;

#[derive(Release)]
#[release(name = "minimal")]
#[node(name = "minimal", apps = ["minimal", r#loop])]
pub struct Minimal<T: Clone> {
    _ignored: T,
}

fn main() {
    let spec = <Minimal<u8> as kazoo_release::spec::Release>::spec().unwrap();
    assert_eq!(spec.default_node, "minimal");
    assert_eq!(spec.version, None);
}
