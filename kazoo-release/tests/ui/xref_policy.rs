use kazoo_release::Release;

#[derive(Release)]
#[release(name = kazoo, xref = forbid, xref_ignore = [pg2, "crypto:hmac/3"])]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
#[profile(name = ci, xref = strict)]
pub struct Kazoo;

fn main() {
    let _ = <Kazoo as kazoo_release::spec::Release>::spec();
}
