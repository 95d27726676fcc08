// The attribute syntax in full, as the design's Kazoo release uses it (tests/derive.rs
// checks what it expands to).
use kazoo_release::spec::SysConfig;
use kazoo_release::term::{SerError, Term};
use kazoo_release::Release;

pub fn kazoo_sys_config() -> Result<SysConfig, SerError> {
    Ok(SysConfig { apps: vec![("lager".to_owned(), Term::List(vec![]))] })
}

mod config {
    pub fn dev() -> Result<kazoo_release::spec::SysConfig, kazoo_release::term::SerError> {
        Ok(Default::default())
    }
}

#[derive(Release)]
#[release(name = kazoo, version = "4.3.0", default_node = kazoo_apps)]
#[release(lib_dirs = ["applications", "core", optional("deps")], base_apps = [runtime_tools, tools, sasl])]
#[release(include_erts = true, include_src = false, dev_mode = false, strip_beams = false,
          sys_config = kazoo_sys_config)]
#[node(name = ecallmgr, apps = [ecallmgr])]
#[node(name = kazoo_apps, apps = [kazoo_apps, lager(load), goldrush("0.1.9"), sync(load, "0.1.3")])]
#[vm_args(sasl_errlog_type = error, inet_dist_listen_min = 11500, inet_dist_listen_max = 11999,
          kernel_poll = true, async_threads = 100, warning_map = w, printable_range = unicode,
          env(ERL_CRASH_DUMP_NICE = "1"), raw = ["+zdbbl 32768", "-heart"])]
#[overlay(mkdir = "log")]
#[overlay(copy(from = "rel/nodetool", to = "bin/nodetool"))]
#[overlay(template(from = "rel/kazoo.hbs", to = "bin/kazoo-env"))]
#[overlay(chmod(mode = 0o755, path = "bin/nodetool"))]
#[profile(name = dev, dev_mode = true, include_erts = false, sys_config = config::dev,
          vm_args(async_threads = 10, raw = ["+sbwt none"]))]
#[profile(name = dist, strip_beams = true, xref = deny, dist = tls, dist_port = 4370)]
#[release(xref = warn, xref_ignore = ["crypto:hmac/3", "pg2"])]
#[hook(pre_start = "bin/check-db", pre_stop(module = kazoo_maintenance, function = drain, args = ["30"]))]
pub struct Kazoo;

fn main() {
    let spec = <Kazoo as kazoo_release::spec::Release>::spec().unwrap();
    assert_eq!(spec.name, "kazoo");
    assert_eq!(spec.nodes.len(), 2);
}
