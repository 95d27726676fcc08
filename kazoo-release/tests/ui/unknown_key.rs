use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, verison = "4.3.0")]
#[node(name = kazoo_apps, apps = [kazoo_apps], default = true)]
#[vm_args(async_thread = 10)]
#[overlay(link(from = "a", to = "b"))]
#[profile(name = dev, include_src = true)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
