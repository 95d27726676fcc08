use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo)]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
pub enum Kazoo {}

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
