use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, version = "4..3")]
#[node(name = ecallmgr, apps = [ecallmgr, lager("0.1.")])]
#[node(name = kazoo_apps, apps = [kazoo_apps(".9")])]
#[release(default_node = ecallmgr)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
