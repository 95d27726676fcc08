use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo)]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
#[vm_args(inet_dist_listen_min = 11999, inet_dist_listen_max = 11500)]
#[profile(name = dev, vm_args(inet_dist_listen_min = 0, inet_dist_listen_max = 70000))]
#[profile(name = ci, vm_args(inet_dist_listen_max = 12000))]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
