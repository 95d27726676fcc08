//! `hello`: the release's own binary (`cargo run -p minimal-release -- print vm.args`).

fn main() -> std::process::ExitCode {
    kazoo_release::cli::main(kazoo_release::embedded!())
}
