//! The whole release: one node type that boots OTP's sasl.

#[derive(kazoo_release::Release)]
#[release(name = hello)]
#[node(name = hello, apps = [sasl])]
pub struct Hello;
