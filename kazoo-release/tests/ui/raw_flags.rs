use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo)]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
#[vm_args(raw = ["+zdbbl 32768", "+Xyz 1", "+sbwx none", "-heart", "zdbbl 32768"])]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
