"""CPU per status call through Cashfree's official Python SDK, cashfree-verification 3.0.0
(bindings/bench/run.py). The SDK hard-codes its hosts (sandbox/api.cashfree.com): the one
change made here is the host of the Configuration it builds per call, pointed at the
emulator. Everything else (its urllib3 pool, models, validation) runs as shipped.
    sdk_bench.py BASE_URL VERIFICATION_ID CALLS"""
import json
import sys
import time

import cashfree_verification.api_client as ac
from cashfree_verification.api_client import Cashfree

base, vid, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
class _Configuration(ac.Configuration):  # the SDK's Configuration, with the emulator as host
    def __init__(self, *args, **kwargs):
        kwargs["host"] = base
        super().__init__(*args, **kwargs)


ac.Configuration = _Configuration
Cashfree.XClientId = "emulator-client-id"
Cashfree.XClientSecret = "emulator-client-secret"
Cashfree.XEnvironment = Cashfree.XSandbox
api = Cashfree()


def status():
    r = api.vrs_reverse_penny_drop_fetch_status(verification_id=vid)
    assert r.data.verification_id == vid, r


for _ in range(200):
    status()
c0, w0 = time.process_time(), time.perf_counter()
for _ in range(calls):
    status()
c1, w1 = time.process_time(), time.perf_counter()
print(json.dumps({"client": "Python SDK (cashfree-verification 3.0.0)", "calls": calls,
                  "cpu_us": round((c1 - c0) * 1e6 / calls, 2), "wall_us": round((w1 - w0) * 1e6 / calls, 2)}))
