#!/usr/bin/env python3
"""The whole `kazoo ping` command against a bare erl_call, with the process-spawn floor.

Median of N runs each (default 200), spawned from Python so that no shell loop adds noise;
`/bin/true` is the cost of spawning anything. Builds the release binary first.

    python3 scripts/bench-ping.py [N]
"""
import glob, os, statistics, subprocess, sys, time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
subprocess.run(["cargo", "build", "-q", "--release", "-p", "kazoo"], cwd=root, check=True)
kazoo = os.path.join(root, "target/release/kazoo")
erl_call = glob.glob("/usr/lib/erlang/lib/erl_interface-*/bin/erl_call")[0]
cookie = "bench_ping_cookie"
env = dict(os.environ, KAZOO_COOKIE=cookie)
env.pop("REL", None)

node = subprocess.Popen(["erl", "-noshell", "-sname", "kazoo_apps", "-setcookie", cookie],
                        stdin=subprocess.DEVNULL)
try:
    deadline = time.monotonic() + 20
    while subprocess.run([kazoo, "ping"], env=env, capture_output=True).returncode != 0:
        if node.poll() is not None or time.monotonic() > deadline:
            sys.exit("the benchmark node did not come up (is a kazoo_apps node already running here?)")
        time.sleep(0.1)

    commands = {
        "floor": ["/bin/true"],
        "ping": [kazoo, "ping"],
        "bare": [erl_call, "-sname", "kazoo_apps", "-c", cookie, "-a", "erlang node []"],
    }
    times = {name: [] for name in commands}
    # Interleaved, so that whatever else the machine does weighs on all three alike.
    for _ in range(N):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    floor, ping, bare = (statistics.median(times[name]) * 1000 for name in commands)
    print(f"median of {N} runs, ms   whole command   minus spawn floor ({floor:.2f})")
    print(f"kazoo ping               {ping:6.2f}          {ping - floor:6.2f}")
    print(f"erl_call (bare C)        {bare:6.2f}          {bare - floor:6.2f}")
    print(f"ratio                    {ping / bare:6.2f}x         {(ping - floor) / (bare - floor):6.2f}x")
finally:
    node.kill()
