#!/usr/bin/env python3
"""Client CPU per status call: C, the Python binding, the .NET binding (mono) and Cashfree's
official Python SDK, one after another against the same emulator process, in alternating
order (ABBA) over several rounds. Prints a Markdown table for BENCHMARKS.md.

    make python dotnet && cargo build --release -p cashfree-rpd-emulator
    python3 bindings/bench/run.py [--calls 3000] [--rounds 4] [--emulator PATH] [--sdk-python PATH]

Each client makes one Client (keep-alive), 200 warm-up status calls of one created id, then
--calls timed calls; CPU is the client process's user + system time (getrusage /
time.process_time) over the timed calls, divided by the calls.
The emulator runs in its own process, so its CPU is not counted.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
PYDIR = os.path.join(TARGET, "release", "bindings", "python")
NETDIR = os.path.join(TARGET, "release", "bindings", "dotnet")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--emulator", default=None)
    ap.add_argument("--sdk-python", default=os.environ.get("CFRPD_PYTHON") or "/tmp/cfrpd-py/bin/python3")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="cfrpd-bench-")
    cbench = os.path.join(work, "status_bench")
    # The same libcashfree_rpd.so the bindings load, under its SONAME for the loader.
    lib = os.path.join(TARGET, "release", "libcashfree_rpd.so")
    os.symlink(lib, os.path.join(work, "libcashfree_rpd.so"))
    os.symlink(lib, os.path.join(work, "libcashfree_rpd.so.0"))
    subprocess.check_call(["cc", "-O2", "-I", os.path.join(ROOT, "include"), os.path.join(HERE, "status_bench.c"),
                           "-L", work, "-lcashfree_rpd", f"-Wl,-rpath,{work}", "-o", cbench])
    netbench = os.path.join(work, "StatusBench.exe")
    subprocess.check_call(["mcs", "-nologo", "-sdk:4.6.1", "-noconfig", "-r:System.dll", "-r:System.Core.dll",
                           "-r:" + os.path.join(NETDIR, "CashfreeRpd.dll"), "-optimize+",
                           "-out:" + netbench, os.path.join(HERE, "StatusBench.cs")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    emu = a.emulator
    if not emu:
        for profile in ("release", "debug"):
            p = os.path.join(TARGET, profile, "cashfree-rpd-emulator")
            if os.path.exists(p):
                emu = p
                break
    proc = subprocess.Popen([emu, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline().decode()
        base = next(w for w in line.split() if w.startswith("http://127.0.0.1:"))
        sys.path.insert(0, PYDIR)
        from cashfree_rpd import Client, Config

        vid = f"bench-{os.getpid()}"
        with Client(Config("emulator-client-id", "emulator-client-secret", base_url=base)) as c:
            c.create(vid, "John Doe")

        env = dict(os.environ, PYTHONPATH=PYDIR, MONO_PATH=NETDIR)
        n = str(a.calls)
        clients = [
            ("C", [cbench, base, vid, n]),
            ("Python binding", [a.sdk_python, os.path.join(HERE, "status_bench.py"), base, vid, n]),
            (".NET binding (mono)", ["mono", netbench, base, vid, n]),
            ("Python SDK", [a.sdk_python, os.path.join(HERE, "sdk_bench.py"), base, vid, n]),
        ]
        results = {name: [] for name, _ in clients}
        for r in range(a.rounds):
            order = clients if r % 2 == 0 else list(reversed(clients))
            for name, cmd in order:
                out = subprocess.check_output(cmd, env=env).decode()
                results[name].append(json.loads(out.strip().splitlines()[-1]))
                print(f"round {r + 1}: {out.strip()}", file=sys.stderr)
    finally:
        proc.kill()
        proc.wait()

    c_cpu = [x["cpu_us"] for x in results["C"]]
    print(f"{a.rounds} rounds x {a.calls} status calls per client, emulator {os.path.basename(os.path.dirname(emu))} build, "
          f"Python {subprocess.check_output([a.sdk_python, '-c', 'import sys; print(sys.version.split()[0])']).decode().strip()}, "
          f"{subprocess.check_output(['mono', '--version']).decode().splitlines()[0]}")
    print()
    print("| client | CPU µs per call, median (min–max) | wall µs per call, median | CPU ratio to C (median of rounds) |")
    print("|---|---|---|---|")
    for name, _ in clients:
        cpu = [x["cpu_us"] for x in results[name]]
        wall = [x["wall_us"] for x in results[name]]
        ratio = statistics.median(x / c for x, c in zip(cpu, c_cpu))
        print(f"| {name} | {statistics.median(cpu):.1f} ({min(cpu):.1f}–{max(cpu):.1f}) | "
              f"{statistics.median(wall):.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
