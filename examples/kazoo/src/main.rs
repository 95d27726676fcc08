//! `kazoo`: Kazoo's release binary. `cargo run -- start ecallmgr` at the workspace root.

fn main() -> std::process::ExitCode {
    kazoo_release::cli::main(kazoo_release::embedded!())
}
