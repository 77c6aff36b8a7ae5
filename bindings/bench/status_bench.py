"""CPU per status call through the Python binding (bindings/bench/run.py).
    status_bench.py BASE_URL VERIFICATION_ID CALLS"""
import json
import sys
import time

from cashfree_rpd import Client, Config

base, vid, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Client(Config("emulator-client-id", "emulator-client-secret", base_url=base)) as c:
    for _ in range(200):
        c.get_status(vid)
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(calls):
        c.get_status(vid)
    c1, w1 = time.process_time(), time.perf_counter()
print(json.dumps({"client": "Python binding", "calls": calls,
                  "cpu_us": round((c1 - c0) * 1e6 / calls, 2), "wall_us": round((w1 - w0) * 1e6 / calls, 2)}))
