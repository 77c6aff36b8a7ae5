//! The control API (`/__emulator/pay`, `fault`, `reset`, `stats`, `requests`).

use super::*;

impl Shared {
    pub(super) fn control(&self, name: &str, req: &Request) -> Response {
        let okay = || ok_json(json!({"ok": true}));
        let method = req.method.as_str();
        let Some((_, allowed)) = CONTROL.iter().find(|(n, _)| *n == name) else {
            return faults::error(
                404,
                "not_found",
                &format!(
                    "unknown emulator control endpoint /__emulator/{name}; valid: {}",
                    control_list()
                ),
                "invalid_request_error",
            );
        };
        if method != *allowed {
            return faults::error(
                405,
                "method_not_allowed",
                &format!("/__emulator/{name} takes {allowed}, not {method}"),
                "invalid_request_error",
            )
            .header("Allow", allowed);
        }
        match name {
            "pay" => match self.control_pay(req) {
                Ok(()) => okay(),
                Err(r) => r,
            },
            "fault" => match control_body(req)
                .and_then(|b| Fault::from_json(&b).map_err(|e| bad_request("fault_invalid", &e)))
            {
                Ok(f) => {
                    self.inject(f);
                    okay()
                }
                Err(r) => r,
            },
            "reset" => {
                self.clear_faults();
                lock(&self.windows).clear();
                okay()
            }
            "stats" => {
                let s = self.stats();
                ok_json(json!({
                    "creates_received": s.creates_received,
                    "status_received": s.status_received,
                    "requests_total": s.requests_total,
                    "connections_accepted": s.connections_accepted,
                    "last_signature": s.last_signature,
                    "webhooks_sent": s.webhooks_sent,
                    "webhooks_failed": s.webhooks_failed,
                    "rate_limited": s.rate_limited,
                }))
            }
            "requests" => {
                let list: Vec<Value> = self
                    .requests()
                    .iter()
                    .map(|r| {
                        let headers: Map<String, Value> = r
                            .headers
                            .iter()
                            .rev()
                            .map(|(k, v)| {
                                let v = if k == "x-client-secret" {
                                    "[redacted]"
                                } else {
                                    v.as_str()
                                };
                                (k.clone(), json!(v))
                            })
                            .collect();
                        json!({
                            "method": r.method,
                            "path": r.path,
                            "request_id": r.request_id(),
                            "api_version": r.api_version(),
                            "headers": headers,
                            "body": String::from_utf8_lossy(&r.body),
                        })
                    })
                    .collect();
                ok_json(json!({ "requests": list }))
            }
            other => unreachable!("control endpoint {other} is listed in CONTROL but not served"),
        }
    }

    pub(super) fn control_pay(&self, req: &Request) -> Result<(), Response> {
        const FIELDS: &[&str] = &["verification_id", "outcome", "name", "reversal"];
        let b = control_body(req)?;
        let Some(obj) = b.as_object() else {
            return Err(bad_request(
                "request_invalid",
                &format!("the body must be a JSON object with: {}", FIELDS.join(", ")),
            ));
        };
        if let Some(k) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(bad_request(
                "field_invalid",
                &format!("unknown field {k:?}; valid fields: {}", FIELDS.join(", ")),
            ));
        }
        let text = |k: &str| -> Result<Option<&str>, Response> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(bad_request(
                    "field_invalid",
                    &format!("field {k:?} must be a string"),
                )),
            }
        };
        let Some(vid) = text("verification_id")? else {
            return Err(bad_request(
                "verification_id_missing",
                &format!(
                    "verification_id is missing; fields: {} (only verification_id is required)",
                    FIELDS.join(", ")
                ),
            ));
        };
        let success = match text("outcome")?.unwrap_or("SUCCESS") {
            o if o.eq_ignore_ascii_case("success") => true,
            o if o.eq_ignore_ascii_case("failure") => false,
            o => {
                return Err(bad_request(
                    "outcome_invalid",
                    &format!("outcome {o:?} is invalid; valid: SUCCESS, FAILURE"),
                ))
            }
        };
        let reversal = match text("reversal")? {
            None => None,
            Some(r) if r.eq_ignore_ascii_case("TRANSFER_SUCCESS") => {
                Some(ReversalOutcome::TransferSuccess)
            }
            Some(r) if r.eq_ignore_ascii_case("FAILED") => Some(ReversalOutcome::Failed),
            Some(r) => {
                return Err(bad_request(
                    "reversal_invalid",
                    &format!("reversal {r:?} is invalid; valid: TRANSFER_SUCCESS, FAILED"),
                ))
            }
        };
        let outcome = PayOutcome {
            success,
            payer_name: text("name")?.unwrap_or("").to_string(),
        };
        match self.pay(vid, &outcome, reversal) {
            Ok(()) => Ok(()),
            Err(e) if e.contains("does not exist") => Err(faults::documented(404)),
            Err(e) => Err(faults::error(409, "not_pending", &e, "validation_error")),
        }
    }
}

/// The control endpoints and their methods.
pub(super) const CONTROL: &[(&str, &str)] = &[
    ("pay", "POST"),
    ("fault", "POST"),
    ("reset", "POST"),
    ("stats", "GET"),
    ("requests", "GET"),
];

fn control_list() -> String {
    CONTROL
        .iter()
        .map(|(n, m)| format!("{m} /__emulator/{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The JSON body of a control request (an empty body is `{}`).
fn control_body(req: &Request) -> Result<Value, Response> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&req.body)
        .map_err(|e| bad_request("request_invalid", &format!("the body is not JSON: {e}")))
}
