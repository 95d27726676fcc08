use kazoo_release::Release;

// `@` separates a node's name from its host: quoted or not, a name here cannot hold one.
#[derive(Release)]
#[release(name = "he@llo")]
#[node(name = "kazoo@apps", apps = [sasl, "my@app"])]
pub struct Quoted;

// Unquoted, `kazoo@apps` does not parse as Rust; the error is the same, and the node type is
// not also said to be missing.
#[derive(Release)]
#[release(name = unquoted)]
#[node(name = kazoo@apps, apps = [sasl])]
pub struct Unquoted;

fn main() {}
