//! The API page, `/api`: a reference drawn on the server from the served
//! OpenAPI document (grouped by tag; each operation's method, path, scope,
//! parameters and example body), after a short "getting started". No
//! script, nothing fetched from elsewhere.

use crate::auth::Viewer;
use crate::error::AppError;
use crate::view::{Layout, page};
use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

pub struct Param {
    pub name: String,
    pub place: String,
    pub required: bool,
    pub words: String,
}

pub struct Operation {
    pub anchor: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub scope: String,
    pub params: Vec<Param>,
    pub example: Option<String>,
    pub paged: bool,
}

pub struct Group {
    pub name: String,
    pub anchor: String,
    pub words: String,
    pub operations: Vec<Operation>,
}

#[derive(Template)]
#[template(path = "api/page.html")]
struct ApiPage {
    layout: Layout,
    groups: Vec<Group>,
    scopes: Vec<(&'static str, &'static str)>,
    codes: &'static [&'static str],
    signed_in: bool,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn anchor(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The document's operations grouped by their tag, in the tags' order.
pub fn groups(doc: &Value) -> Vec<Group> {
    let mut groups: Vec<Group> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| Group {
            name: text(t, "name"),
            anchor: anchor(&text(t, "name")),
            words: text(t, "description"),
            operations: Vec::new(),
        })
        .collect();
    let Some(paths) = doc["paths"].as_object() else {
        return groups;
    };
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let tag = op["tags"][0].as_str().unwrap_or_default();
            let scope = op["security"][0]["bearer"][0].as_str().unwrap_or_default();
            let params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| Param {
                    name: text(p, "name"),
                    place: text(p, "in"),
                    required: p["required"].as_bool().unwrap_or(false),
                    words: text(p, "description"),
                })
                .collect();
            let example = op["requestBody"]["content"]["application/json"]["example"].clone();
            let operation = Operation {
                anchor: text(op, "operationId"),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(op, "summary"),
                scope: scope.to_owned(),
                params,
                example: (!example.is_null())
                    .then(|| serde_json::to_string_pretty(&example).unwrap_or_default()),
                paged: op["responses"]["2XX"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .is_some_and(|r| r.ends_with("Page")),
            };
            if let Some(g) = groups.iter_mut().find(|g| g.name == tag) {
                g.operations.push(operation);
            }
        }
    }
    groups
}

pub async fn api_page(Viewer(v): Viewer) -> Result<Html<String>, AppError> {
    let doc: Value = serde_json::from_str(super::openapi::json()).map_err(|e| {
        AppError::internal(
            "The API document could not be read. This is a bug in Quire.",
            e,
        )
    })?;
    page(&ApiPage {
        layout: Layout::for_user(v.as_ref()),
        groups: groups(&doc),
        scopes: super::scopes::Scope::ALL
            .iter()
            .map(|s| (s.name(), s.description()))
            .collect(),
        codes: crate::error::CODES,
        signed_in: v.is_some(),
    })
}

pub async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        super::openapi::json(),
    )
        .into_response()
}
