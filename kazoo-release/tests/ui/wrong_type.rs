use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, version = 4.3, include_erts = "yes", lib_dirs = "deps")]
#[node(name = kazoo_apps, apps = kazoo_apps)]
#[vm_args(kernel_poll = 1, async_threads = "100", raw = "+K true")]
#[overlay(mkdir = log, chmod(mode = "755", path = "bin/nodetool"))]
#[profile(name = dev, dev_mode)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
