//! The start-up benchmark's anchor (scripts/bench-ping.py): a Rust program that only prints,
//! built with the same profile as the kazoo binary.

fn main() {
    println!("hello");
}
