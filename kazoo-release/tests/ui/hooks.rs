use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo)]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
#[hook(pre_start(module = kazoo_maintenance, function = check), post_stop = " ")]
#[hook(post_start(module = "bad@module", function = ready), post_stop = "bin/cleanup")]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
