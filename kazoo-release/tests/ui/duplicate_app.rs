use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, base_apps = [runtime_tools, sasl])]
#[node(name = kazoo_apps, apps = [kazoo_apps, lager, lager(load), sasl])]
#[profile(name = dev)]
#[profile(name = dev, dev_mode = true)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
