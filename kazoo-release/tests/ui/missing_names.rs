use kazoo_release::Release;

#[derive(Release)]
#[release(version = "4.3.0")]
#[node(apps = [kazoo_apps])]
#[overlay(copy(from = "rel/nodetool"))]
#[profile(dev_mode = true)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
