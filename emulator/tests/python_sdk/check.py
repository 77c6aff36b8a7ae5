#!/usr/bin/env python3
"""Reads the emulator's answers with Cashfree's official Python SDK and checks that they
read the same way as Cashfree's documented examples.

    python3 check.py BASE_URL [DATA_DIR]

BASE_URL is the emulator's API base, e.g. http://127.0.0.1:41234/verification (its
control endpoints are under the same host at /__emulator/...). DATA_DIR holds the
documented samples (default: ../data next to this file). Credentials: env
CASHFREE_CLIENT_ID / CASHFREE_CLIENT_SECRET, default the emulator's test ones.

The SDK (pip install cashfree-verification==3.0.0) is generated from Cashfree's
OpenAPI document (version 2023-12-18). Its models for reverse penny drop:
  CreateRequestResponseSchema   POST /reverse-penny-drop 200 (ref_id: StrictInt)
  GetStatusRpdResponseSchema    GET /remitter/status 200 (every field StrictStr)
  ErrorResponseSchema           every error (code, message, type: StrictStr; error: dict)
Pydantic strict types refuse a number where a string belongs and vice versa, so a
successful parse is the SDK "accepting" the body.

Checks:
  1. every documented sample parses into its model;
  2. live answers (create, status CREATED, status SUCCESS after a payment, a duplicate
     create, wrong credentials) parse into the same models with the same fields present
     and the same Python types as the corresponding sample, no field the model does not
     know, and status / name_match_result / reversal_status values among the documented
     ones;
  3. the same calls through the SDK's own client methods (its HTTP layer pointed at the
     emulator) return those models, and errors raise its ApiException with a body that
     parses as ErrorResponseSchema.

Exit status: 0 all good, 1 a check failed, 2 bad usage, 77 the SDK is not installed.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

SKIP = 77

try:
    import cashfree_verification
    from cashfree_verification.models.create_request_response_schema import (
        CreateRequestResponseSchema,
    )
    from cashfree_verification.models.get_status_rpd_response_schema import (
        GetStatusRpdResponseSchema,
    )
    from cashfree_verification.models.error_response_schema import ErrorResponseSchema
except ImportError as e:  # pragma: no cover - reported to the Rust driver
    print(f"SKIP: the Cashfree Python SDK is not installed ({e}); "
          "pip install cashfree-verification==3.0.0")
    sys.exit(SKIP)

try:
    from importlib.metadata import version as _version

    SDK_VERSION = _version("cashfree-verification")
except Exception:  # pragma: no cover
    SDK_VERSION = "unknown"

STATUSES = {"CREATED", "SUCCESS", "FAILURE", "EXPIRED"}
NAME_MATCH = {
    "", "DIRECT_MATCH", "GOOD_PARTIAL_MATCH", "MODERATE_PARTIAL_MATCH",
    "POOR_PARTIAL_MATCH", "NO_MATCH",
}
REVERSAL = {"", "PENDING", "TRANSFER_INITIATED", "TRANSFER_SUCCESS", "FAILED"}

failures = []


def check(cond, what):
    if cond:
        print(f"ok   {what}")
    else:
        print(f"FAIL {what}")
        failures.append(what)


def fields_of(model_cls):
    return list(model_cls.__fields__.keys())


def parse(model_cls, body, what):
    """Parses a JSON object into model_cls; returns (model, raw dict) or (None, raw)."""
    raw = json.loads(body) if isinstance(body, (str, bytes)) else body
    try:
        model = model_cls.from_dict(raw)
    except Exception as e:  # pydantic.ValidationError and friends
        check(False, f"{what}: the SDK's {model_cls.__name__} refuses it: {e}")
        return None, raw
    check(model is not None, f"{what}: parses as {model_cls.__name__}")
    return model, raw


def shape(model_cls, model, raw):
    """{field: python type name} for the model's fields present in the raw JSON."""
    return {
        f: type(getattr(model, f)).__name__
        for f in fields_of(model_cls)
        if f in raw
    }


def same_reading(model_cls, sample_name, sample_model, sample_raw, live_model, live_raw, what):
    s = shape(model_cls, sample_model, sample_raw)
    l = shape(model_cls, live_model, live_raw)
    check(set(s) == set(l),
          f"{what}: same fields present as {sample_name} "
          f"(only in sample: {sorted(set(s) - set(l))}, only live: {sorted(set(l) - set(s))})")
    differing = {f: (s[f], l[f]) for f in set(s) & set(l) if s[f] != l[f]}
    check(not differing, f"{what}: same types as {sample_name} {differing or ''}")
    unknown = sorted(set(live_raw) - set(fields_of(model_cls)))
    check(not unknown, f"{what}: no field the SDK model lacks {unknown or ''}")
    # Nothing lost in the SDK's reading: its dict is the body (minus nulls).
    check(live_model.to_dict() == {k: v for k, v in live_raw.items() if v is not None},
          f"{what}: the SDK reads back every value unchanged")


def check_status_values(model, what):
    check(model.status in STATUSES, f"{what}: status {model.status!r} is documented")
    if model.name_match_result is not None:
        check(model.name_match_result in NAME_MATCH,
              f"{what}: name_match_result {model.name_match_result!r} is documented")
    if model.reversal_status is not None:
        check(model.reversal_status in REVERSAL,
              f"{what}: reversal_status {model.reversal_status!r} is documented")


class Http:
    def __init__(self, base_url, client_id, client_secret):
        self.base = base_url.rstrip("/")
        root = self.base
        if root.endswith("/verification"):
            root = root[: -len("/verification")]
        self.root = root
        self.headers = {
            "x-client-id": client_id,
            "x-client-secret": client_secret,
            "x-api-version": "2023-12-18",
            "Accept": "application/json",
        }

    def call(self, method, url, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        h = dict(headers if headers is not None else self.headers)
        if data is not None:
            h["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def create(self, vid, name, headers=None):
        return self.call("POST", f"{self.base}/reverse-penny-drop",
                         {"verification_id": vid, "name": name}, headers)

    def status(self, vid):
        return self.call("GET", f"{self.base}/remitter/status?verification_id={vid}")

    def pay(self, vid):
        return self.call("POST", f"{self.root}/__emulator/pay",
                         {"verification_id": vid}, headers={})


def load(data_dir, name):
    with open(os.path.join(data_dir, name), encoding="utf-8") as f:
        return json.load(f)


def samples(data_dir):
    """Part 1: the documented samples through the SDK models."""
    out = {}
    for name, cls in [
        ("create_response.json", CreateRequestResponseSchema),
        ("status_created.json", GetStatusRpdResponseSchema),
        ("status_success.json", GetStatusRpdResponseSchema),
        ("status_expired.json", GetStatusRpdResponseSchema),
    ]:
        model, raw = parse(cls, load(data_dir, name), f"sample {name}")
        if model is not None and cls is GetStatusRpdResponseSchema:
            check_status_values(model, f"sample {name}")
        out[name] = (model, raw)
    errors = load(data_dir, "errors.json")
    for key, body in errors.items():
        out[f"errors.json[{key}]"] = parse(ErrorResponseSchema, body, f"sample errors.json[{key}]")
    return out


def live(http, docs):
    """Part 2: live answers through the same models, compared with the samples."""
    vid = f"py-sdk-{os.getpid()}-{int(time.time() * 1000) % 10**9}"
    name = "Bharath Kumar"

    code, body = http.create(vid, name)
    check(code == 200, f"live create: HTTP {code}")
    model, raw = parse(CreateRequestResponseSchema, body, "live create")
    if model is not None:
        same_reading(CreateRequestResponseSchema, "create_response.json",
                     *docs["create_response.json"], model, raw, "live create")
        check(model.verification_id == vid, "live create: verification_id echoed")
        check(isinstance(model.ref_id, int) and model.ref_id > 0, "live create: ref_id > 0")
        check(model.upi_link.startswith("upi://pay?"), "live create: upi_link")

    code, body = http.status(vid)
    check(code == 200, f"live status CREATED: HTTP {code}")
    model, raw = parse(GetStatusRpdResponseSchema, body, "live status CREATED")
    if model is not None:
        same_reading(GetStatusRpdResponseSchema, "status_created.json",
                     *docs["status_created.json"], model, raw, "live status CREATED")
        check(model.status == "CREATED", f"live status CREATED: status {model.status!r}")
        check_status_values(model, "live status CREATED")

    code, body = http.pay(vid)
    check(code == 200, f"emulator pay: HTTP {code} {body[:200]!r}")
    code, body = http.status(vid)
    check(code == 200, f"live status SUCCESS: HTTP {code}")
    model, raw = parse(GetStatusRpdResponseSchema, body, "live status SUCCESS")
    if model is not None:
        same_reading(GetStatusRpdResponseSchema, "status_success.json",
                     *docs["status_success.json"], model, raw, "live status SUCCESS")
        check(model.status == "SUCCESS", f"live status SUCCESS: status {model.status!r}")
        check(model.name_at_bank == name.upper(), "live status SUCCESS: payer = name sent")
        check(model.name_match_result == "DIRECT_MATCH", "live status SUCCESS: DIRECT_MATCH")
        check(model.reversal_status == "PENDING", "live status SUCCESS: reversal PENDING")
        check_status_values(model, "live status SUCCESS")

    code, body = http.create(vid, name)
    check(code == 400, f"live duplicate create: HTTP {code}")
    model, raw = parse(ErrorResponseSchema, body, "live duplicate create")
    if model is not None:
        doc_model, doc_raw = docs["errors.json[400_duplicate]"]
        same_reading(ErrorResponseSchema, "errors.json[400_duplicate]",
                     doc_model, doc_raw, model, raw, "live duplicate create")
        check(raw == doc_raw, "live duplicate create: the documented body")

    bad = dict(http.headers, **{"x-client-secret": "wrong-secret"})
    code, body = http.create(vid + "-401", name, headers=bad)
    check(code == 401, f"live wrong credentials: HTTP {code}")
    model, raw = parse(ErrorResponseSchema, body, "live wrong credentials")
    if model is not None:
        same_reading(ErrorResponseSchema, "errors.json[401]",
                     *docs["errors.json[401]"], model, raw, "live wrong credentials")
    return vid


def through_the_sdk_client(http, client_id, client_secret):
    """Part 3: the SDK's own client methods, their HTTP layer pointed at the emulator."""
    from cashfree_verification import api_client as sdk
    from cashfree_verification.exceptions import ApiException
    from cashfree_verification.models.create_request_request_schema import (
        CreateRequestRequestSchema,
    )

    original = sdk.Configuration

    class ToEmulator(original):  # every SDK method builds one per call, host hard-coded
        def __init__(self, host=None, **kwargs):
            super().__init__(host=http.base, **kwargs)

    sdk.Configuration = ToEmulator
    try:
        sdk.Cashfree.XClientId = client_id
        sdk.Cashfree.XClientSecret = client_secret
        cf = sdk.Cashfree()
        vid = f"py-sdk-client-{os.getpid()}-{int(time.time() * 1000) % 10**9}"
        req = CreateRequestRequestSchema(verification_id=vid, name="Asha Rao")
        r = cf.vrs_reverse_penny_drop_create_request(req)
        check(r.status_code == 200, f"SDK client create: HTTP {r.status_code}")
        check(isinstance(r.data, CreateRequestResponseSchema)
              and r.data.verification_id == vid and isinstance(r.data.ref_id, int),
              f"SDK client create: a CreateRequestResponseSchema for {vid}")
        s = cf.vrs_reverse_penny_drop_fetch_status(verification_id=vid)
        check(isinstance(s.data, GetStatusRpdResponseSchema) and s.data.status == "CREATED",
              "SDK client status: GetStatusRpdResponseSchema, CREATED")
        s = cf.vrs_reverse_penny_drop_fetch_status(ref_id=str(r.data.ref_id))
        check(isinstance(s.data, GetStatusRpdResponseSchema)
              and s.data.ref_id == str(r.data.ref_id) and s.data.verification_id == vid,
              "SDK client status by ref_id")
        try:
            cf.vrs_reverse_penny_drop_create_request(req)
            check(False, "SDK client duplicate create raises ApiException")
        except ApiException as e:
            check(e.status == 400, f"SDK client duplicate create: ApiException {e.status}")
            err = ErrorResponseSchema.from_json(e.body)
            check(err.message == "verification_id already exists",
                  f"SDK client duplicate create: ErrorResponseSchema {err.to_dict()}")
    finally:
        sdk.Configuration = original


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    base_url = argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    data_dir = argv[2] if len(argv) == 3 else os.path.join(here, "..", "data")
    client_id = os.environ.get("CASHFREE_CLIENT_ID") or "emulator-client-id"
    client_secret = os.environ.get("CASHFREE_CLIENT_SECRET") or "emulator-client-secret"
    print(f"cashfree-verification {SDK_VERSION} against {base_url}")
    docs = samples(data_dir)
    http = Http(base_url, client_id, client_secret)
    live(http, docs)
    through_the_sdk_client(http, client_id, client_secret)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
