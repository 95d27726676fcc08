use kazoo_release::spec::SysConfig;
use kazoo_release::Release;

// The user's function must be `fn() -> Result<SysConfig, SerError>`.
fn kazoo_sys_config() -> SysConfig {
    SysConfig::default()
}

#[derive(Release)]
#[release(name = kazoo, sys_config = kazoo_sys_config)]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
