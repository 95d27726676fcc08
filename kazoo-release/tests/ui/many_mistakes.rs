use kazoo_release::Release;

// One compile reports every mistake of the input, not just the first.
#[derive(Release)]
#[release(name = Kazoo, version = "", colour = blue)]
#[node(name = ecallmgr, apps = [])]
#[node(name = ecallmgr, apps = [kazoo-apps])]
#[vm_args(async_threads = 5000, raw = ["+Xyz"], inet_dist_listen_min = 2)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
