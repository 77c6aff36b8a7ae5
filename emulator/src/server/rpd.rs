//! The RPD API's handlers: create, status, and the fault that swaps in another
//! request's answer.

use super::*;

impl Shared {
    /// [`FaultKind::OtherRequest`]: makes a 200 answer name another request.
    pub(super) fn swap_for_other(
        &self,
        route: Route,
        obj: &mut Map<String, Value>,
        wanted: Option<&str>,
    ) {
        let asked_id = obj
            .get("verification_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        match route {
            Route::Create => {
                let other_id = wanted.map_or_else(|| format!("{asked_id}-other"), str::to_string);
                let ref_id = obj.get("ref_id").and_then(Value::as_u64).unwrap_or(0);
                obj.insert("verification_id".into(), json!(other_id));
                obj.insert("ref_id".into(), json!(ref_id + 1_000_000));
            }
            Route::Status => {
                let asked_ref = obj
                    .get("ref_id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let key = match asked_ref.parse() {
                    Ok(n) => Key::Ref(n),
                    Err(_) => Key::Id(asked_id.clone()),
                };
                let now = SystemTime::now();
                let found = lock(&self.store)
                    .other_than(&key, wanted)
                    .filter(|v| v.verification_id != asked_id);
                *obj = match found {
                    Some(v) => v.status_json(false, now, self.opts.reversal_step),
                    None => {
                        let mut id = wanted.unwrap_or("emu-other-request").to_string();
                        if id == asked_id {
                            id.push_str("-other");
                        }
                        let mut m = faults::canned_status(&id);
                        if asked_ref == "999999" {
                            m.insert("ref_id".into(), json!("999998"));
                        }
                        m
                    }
                };
            }
            Route::Other => {}
        }
    }

    pub(super) fn process(
        &self,
        route: Route,
        req: &Request,
    ) -> Result<Map<String, Value>, Response> {
        let method_ok = match route {
            Route::Create => req.method == "POST",
            Route::Status => req.method == "GET",
            Route::Other => {
                return Err(faults::error(
                    404,
                    "not_found",
                    "no such endpoint",
                    "invalid_request_error",
                ));
            }
        };
        if !method_ok {
            let allow = if route == Route::Create {
                "POST"
            } else {
                "GET"
            };
            return Err(faults::error(
                405,
                "method_not_allowed",
                "method not allowed",
                "invalid_request_error",
            )
            .header("Allow", allow));
        }
        let signature = req.header("x-cf-signature");
        if let Some(sig) = signature {
            *lock(&self.last_signature) = Some(sig.to_string());
        }
        let client_id = match req.header("x-client-id") {
            Some(id) if !id.is_empty() => id,
            _ => {
                return Err(faults::error(
                    400,
                    "x-client-id_missing",
                    "x-client-id missing",
                    "authentication_error",
                ));
            }
        };
        let secret = req.header("x-client-secret").unwrap_or("");
        if self.opts.environment.secret_belongs_elsewhere(secret) {
            let message = match self.opts.environment {
                Environment::Production => "Client secret belongs to test environment",
                Environment::Sandbox => "Client secret belongs to production environment",
            };
            return Err(faults::error(
                400,
                "client_secret_invalid_environment",
                message,
                "authentication_error",
            ));
        }
        if client_id != self.opts.client_id || secret != self.opts.client_secret {
            return Err(faults::documented(401));
        }
        if let Some(key) = &self.sig_key {
            match signature::verify(key, signature, &self.opts.client_id, clock::unix_now()) {
                Ok(()) => {}
                Err(Refusal::Missing) => return Err(faults::documented(403)),
                Err(Refusal::Mismatch(why)) => {
                    return Err(faults::error(
                        403,
                        "signature_mismatch",
                        &format!("Signature mismatch: {why}"),
                        "authentication_error",
                    ));
                }
            }
        }
        if route == Route::Create {
            self.create(req)
        } else {
            self.status(req)
        }
    }

    pub(super) fn create(&self, req: &Request) -> Result<Map<String, Value>, Response> {
        let ct = req.header("content-type").unwrap_or("");
        if !ct
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("application/json")
        {
            return Err(faults::error(
                415,
                "unsupported_media_type",
                "Content-Type must be application/json",
                "validation_error",
            ));
        }
        let body: Value = serde_json::from_slice(&req.body)
            .map_err(|_| bad_request("request_invalid", "request body is not valid JSON"))?;
        let obj = body
            .as_object()
            .ok_or_else(|| bad_request("request_invalid", "request body must be a JSON object"))?;
        let vid = match obj.get("verification_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                return Err(bad_request(
                    "verification_id_invalid",
                    "verification_id is invalid",
                ))
            }
        };
        let vid = vid
            .ok_or_else(|| bad_request("verification_id_missing", "verification_id is missing"))?;
        if let Some(code) = magic_status(vid) {
            return Err(faults::documented(code));
        }
        if !valid_verification_id(vid) {
            return Err(bad_request(
                "verification_id_invalid",
                "verification_id is invalid",
            ));
        }
        let name = match obj.get("name") {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => return Err(bad_request("name_invalid", "name is invalid")),
        };
        if name.trim().is_empty() {
            return Err(bad_request("name_missing", "name is missing"));
        }
        let now = SystemTime::now();
        let created = lock(&self.store).create(
            vid,
            name,
            now,
            self.opts.validity,
            self.opts.auto_pay_after,
            self.opts.balance,
        );
        let v = match created {
            Ok(v) => v,
            Err(CreateError::Duplicate) => return Err(faults::documented(400)),
            Err(CreateError::InsufficientBalance) => return Err(faults::documented(422)),
        };
        let query = format!(
            "pay?pa=success@upi&pn=Cashfree&tn=BAV&am=1.00&cu=INR&tr={}",
            v.ref_id
        );
        let upi_link = format!("upi://{query}");
        let mut m = Map::new();
        m.insert("verification_id".into(), json!(v.verification_id));
        m.insert("ref_id".into(), json!(v.ref_id));
        m.insert(
            "valid_upto".into(),
            json!(clock::iso_utc_millis(v.valid_upto)),
        );
        m.insert("qr_code".into(), json!(qr::png_base64(&upi_link)));
        m.insert("upi_link".into(), json!(upi_link));
        m.insert("gpay".into(), json!(format!("tez://upi/{query}")));
        m.insert("bhim".into(), json!(format!("bhim://upi://{query}")));
        m.insert("paytm".into(), json!(format!("paytmmp://{query}")));
        m.insert("phonepe".into(), json!(format!("phonepe://{query}")));
        Ok(m)
    }

    pub(super) fn status(&self, req: &Request) -> Result<Map<String, Value>, Response> {
        let q = req.query();
        let non_empty = |k: &str| http::query_param(q, k).filter(|v| !v.is_empty());
        let key = if let Some(vid) = non_empty("verification_id") {
            if let Some(code) = magic_status(&vid) {
                return Err(faults::documented(code));
            }
            Key::Id(vid)
        } else if let Some(r) = non_empty("ref_id") {
            let n = r
                .parse::<u64>()
                .map_err(|_| bad_request("ref_id_invalid", "ref_id is invalid"))?;
            Key::Ref(n)
        } else {
            return Err(bad_request(
                "verification_id_or_ref_id_missing",
                "Please provide verification_id or ref_id",
            ));
        };
        let now = SystemTime::now();
        let found = lock(&self.store).lookup(&key, now);
        let (v, event) = found.ok_or_else(|| faults::documented(404))?;
        if let Some(e) = event {
            self.emit(e);
        }
        Ok(v.status_json(false, now, self.opts.reversal_step))
    }
}
