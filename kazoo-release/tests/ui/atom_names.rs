use kazoo_release::Release;

#[derive(Release)]
#[release(name = Kazoo, default_node = "kazoo-apps", base_apps = [_sasl])]
#[node(name = "kazoo-apps", apps = [Kazoo_apps, "1lager"])]
#[profile(name = "dev.local")]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
