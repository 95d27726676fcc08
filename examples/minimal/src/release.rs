//! The whole release: one node type that boots OTP's sasl, and hooks around its start and
//! stop (a command: with the release's environment, `RELEASE_NODE` among it; an Erlang
//! call: on the node). Here they only say that they ran, where `$HELLO_HOOKS` names a file.

#[derive(kazoo_release::Release)]
#[release(name = hello)]
#[node(name = hello, apps = [sasl])]
#[hook(
    pre_start = "[ -z \"$HELLO_HOOKS\" ] || echo \"pre_start $RELEASE_NODE\" >> \"$HELLO_HOOKS\"; [ -z \"$HELLO_REFUSE_START\" ]"
)]
#[hook(post_start(module = application, function = set_env, args = ["hello", "post_start", "ran"]))]
#[hook(pre_stop = "[ -z \"$HELLO_HOOKS\" ] || echo pre_stop >> \"$HELLO_HOOKS\"")]
#[hook(post_stop = "[ -z \"$HELLO_HOOKS\" ] || echo post_stop >> \"$HELLO_HOOKS\"")]
pub struct Hello;
