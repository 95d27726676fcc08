use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, version = "4.3.0")]
#[release(version = "4.3.1", include_erts = true, include_erts = false)]
#[node(name = kazoo_apps, name = kazoo, apps = [kazoo_apps])]
#[vm_args(env(ERL_CRASH_DUMP_NICE = "1", ERL_CRASH_DUMP_NICE = "2"))]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
