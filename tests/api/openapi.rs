//! The served OpenAPI document: reading it (the role matrix in `roles.rs` is derived from
//! it) and the rules it keeps that a schema validator does not check. CI also runs
//! `openapi-spec-validator` on it (`.ci/run`).

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

/// One operation of the document.
pub struct Operation {
    pub method: Method,
    /// The path template, e.g. `/api/v1/cohorts/{id}`.
    pub path: String,
    pub id: String,
    /// Whether a token is required: `security` is declared and offers no anonymous
    /// alternative (`{}`).
    pub needs_login: bool,
    pub body: Value,
}

/// The document the app serves at `/api/v1/openapi.json`.
pub async fn document(app: &TestApp) -> Value {
    let (status, doc) = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// Every operation of the document, in path order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, body) in item.as_object().expect("a path item") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let needs_login = body["security"].as_array().is_some_and(|alternatives| {
                !alternatives.is_empty()
                    && alternatives
                        .iter()
                        .all(|a| a.as_object().is_some_and(|a| !a.is_empty()))
            });
            found.push(Operation {
                method,
                path: path.clone(),
                id: body["operationId"].as_str().unwrap_or_default().to_owned(),
                needs_login,
                body: body.clone(),
            });
        }
    }
    found
}

/// The object a local `$ref` points at.
fn resolve<'d>(doc: &'d Value, value: &'d Value) -> &'d Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            let target = reference
                .strip_prefix('#')
                .and_then(|pointer| doc.pointer(pointer));
            target.unwrap_or_else(|| panic!("{reference} points at nothing"))
        }
        None => value,
    }
}

/// Every `$ref` anywhere under `value`.
fn references<'d>(value: &'d Value, into: &mut Vec<&'d str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                into.push(r);
            }
            map.values().for_each(|v| references(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, into)),
        _ => {}
    }
}

#[tokio::test]
async fn every_operation_has_its_own_id_a_summary_described_tags_answers_and_parameters() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut problems = Vec::new();

    let mut refs = Vec::new();
    references(&doc, &mut refs);
    for r in refs {
        if r.strip_prefix('#').and_then(|p| doc.pointer(p)).is_none() {
            problems.push(format!("{r} points at nothing"));
        }
    }

    let tags: Vec<&Value> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| &t["name"])
        .collect();
    let operations = operations(&doc);
    assert!(
        operations.len() > 40,
        "only {} operations",
        operations.len()
    );
    let mut ids: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for op in &operations {
        let name = format!("{} {}", op.method, op.path);
        ids.entry(&op.id).or_default().push(name.clone());
        if op.body["summary"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{name}: no summary"));
        }
        let op_tags = op.body["tags"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if op_tags.is_empty() || op_tags.iter().any(|t| !tags.contains(&t)) {
            problems.push(format!("{name}: tags {op_tags:?} are not all described"));
        }
        for (status, answer) in op.body["responses"].as_object().expect("responses") {
            let description = resolve(&doc, answer)["description"].as_str();
            if description.is_none_or(|d| d.trim().is_empty()) {
                problems.push(format!("{name}: answer {status} has no description"));
            }
        }
        if op.needs_login {
            for status in ["401", "403"] {
                if op.body["responses"][status].is_null() {
                    problems.push(format!("{name}: secured but does not list {status}"));
                }
            }
        }
        let in_template: Vec<&str> = op
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let mut in_path = Vec::new();
        for parameter in op.body["parameters"].as_array().into_iter().flatten() {
            let parameter = resolve(&doc, parameter);
            let pname = parameter["name"].as_str().unwrap_or_default();
            if parameter["in"] == "path" {
                in_path.push(pname);
                if !in_template.contains(&pname) {
                    problems.push(format!("{name}: `{pname}` is not in the path"));
                }
            }
        }
        for pname in in_template {
            if !in_path.contains(&pname) {
                problems.push(format!("{name}: path parameter `{pname}` is not declared"));
            }
        }
    }
    for (id, holders) in ids {
        if id.is_empty() || holders.len() > 1 {
            problems.push(format!("operation id `{id}` names {}", holders.join(", ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
