use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo)]
#[node(name = kazoo_apps, apps = [kazoo_apps, lager(boot), sync(load, temporary)])]
#[vm_args(async_threads = 2000, warning_map = warn, printable_range = utf8, sasl_errlog_type = warning)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
