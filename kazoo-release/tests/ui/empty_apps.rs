use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, default_node = ecallmgr)]
#[node(name = ecallmgr, apps = [])]
#[node(name = kazoo_apps)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
