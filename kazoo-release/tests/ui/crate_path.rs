use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, crate = 3)]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
