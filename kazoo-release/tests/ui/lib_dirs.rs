use kazoo_release::Release;

// A lib dir is a string, or `optional("...")` for one that may not exist.
#[derive(Release)]
#[release(name = kazoo, lib_dirs = ["core", optional("deps"), maybe("extra"), optional("a", "b"), optional(deps)])]
#[node(name = ecallmgr, apps = [ecallmgr])]
struct Kazoo;

fn main() {}
