#!/usr/bin/env python3
"""Start-up: `kazoo -V` against a Rust hello built with the same profile and flags (both
static-pie, as .cargo/config.toml builds them), and the whole `kazoo ping` against a bare
erl_call, with the process-spawn floor (/bin/true).

Median of N runs each (default 200), spawned from Python so that no shell loop adds noise,
interleaved so that whatever else the machine does weighs on all alike; with each one's
minor page faults (getrusage of the child). The node runs behind a private EPMD. Builds the
release binary and the hello (`examples/kazoo/examples/hello.rs`) first, and with
--non-pie both again as position-dependent executables (`-C relocation-model=static`, in
target/non-pie), timed in the same run.

    python3 scripts/bench-ping.py [N] [--non-pie]
"""
import argparse, atexit, glob, os, shutil, statistics, subprocess, sys, tempfile, time

parser = argparse.ArgumentParser()
parser.add_argument("runs", nargs="?", type=int, default=200)
parser.add_argument("--non-pie", action="store_true", help="also time position-dependent builds")
args = parser.parse_args()
N = args.runs
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where .cargo/config.toml has cargo put them: the host's target dir.
host = subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.split("host: ")[1].split()[0]
copies = tempfile.mkdtemp(prefix="bench-ping.")
atexit.register(shutil.rmtree, copies)


def build(variant, env, target_dir):
    """Builds kazoo and the hello; returns fresh copies of both. A binary as the linker left
    it, or read back after the page cache dropped it, maps with more page faults than a file
    just written (79 against 71 for kazoo -V here): copies, as build-release writes a tree's
    bin/<name>, put both in the same state."""
    for target in (["--bin", "kazoo"], ["--example", "hello"]):
        subprocess.run(["cargo", "build", "-q", "--release", "-p", "kazoo", "--target-dir", target_dir, *target],
                       cwd=root, env=env, check=True)
    built = os.path.join(target_dir, host, "release")
    return [shutil.copy(os.path.join(built, name), os.path.join(copies, f"{prefix}{variant}"))
            for name, prefix in (("kazoo", "kazoo"), ("examples/hello", "hello"))]


kazoo, hello = build("", os.environ, os.path.join(root, "target"))
if args.non_pie:
    # RUSTFLAGS replaces the config's flags: crt-static again, plus no relocations.
    flags = "-C target-feature=+crt-static -C relocation-model=static"
    kazoo_np, hello_np = build("-non-pie", dict(os.environ, RUSTFLAGS=flags), os.path.join(root, "target/non-pie"))
erl_call = glob.glob("/usr/lib/erlang/lib/erl_interface-*/bin/erl_call")[0]
cookie = "bench_ping_cookie"
env = dict(os.environ, KAZOO_COOKIE=cookie, ERL_EPMD_PORT=str(20000 + os.getpid() % 20000))
env.pop("REL", None)


def run(cmd):
    """The command's wall time (s) and minor page faults."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_minflt


node = subprocess.Popen(["erl", "-noshell", "-sname", "kazoo_apps", "-setcookie", cookie],
                        stdin=subprocess.DEVNULL, env=env)
try:
    deadline = time.monotonic() + 20
    while subprocess.run([kazoo, "ping"], env=env, capture_output=True).returncode != 0:
        if node.poll() is not None or time.monotonic() > deadline:
            sys.exit("the benchmark node did not come up")
        time.sleep(0.1)

    commands = {
        "/bin/true (spawn floor)": ["/bin/true"],
        "Rust hello": [hello],
        "kazoo -V": [kazoo, "-V"],
        "kazoo ping": [kazoo, "ping"],
        **({"Rust hello, non-PIE": [hello_np], "kazoo -V, non-PIE": [kazoo_np, "-V"]} if args.non_pie else {}),
        "erl_call (bare C)": [erl_call, "-sname", "kazoo_apps", "-c", cookie, "-a", "erlang node []"],
    }
    runs = {name: [] for name in commands}
    for _ in range(N):
        for name, cmd in commands.items():
            runs[name].append(run(cmd))
    ms = {name: statistics.median(t for t, _ in r) * 1000 for name, r in runs.items()}
    faults = {name: statistics.median(f for _, f in r) for name, r in runs.items()}
    floor = ms["/bin/true (spawn floor)"]
    print(f"median of {N} runs     ms   minus floor   page faults")
    for name in commands:
        print(f"{name:<24} {ms[name]:6.2f}   {ms[name] - floor:6.2f}        {faults[name]:5.0f}")
    print(f"kazoo -V - Rust hello   {ms['kazoo -V'] - ms['Rust hello']:6.2f} ms (goal: at most 0.15)")
    if args.non_pie:
        print(f"non-PIE: kazoo -V - hello {ms['kazoo -V, non-PIE'] - ms['Rust hello, non-PIE']:6.2f} ms")
    print(f"kazoo ping / erl_call   {ms['kazoo ping'] / ms['erl_call (bare C)']:6.2f}x   (goal: at most 1.3)")
finally:
    node.kill()
    node.wait()
    subprocess.run(["epmd", "-kill"], env=env, capture_output=True)
