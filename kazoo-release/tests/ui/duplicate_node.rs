use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, default_node = ecallmgr)]
#[node(name = ecallmgr, apps = [ecallmgr])]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
#[node(name = "ecallmgr", apps = [ecallmgr])]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
