//! The OpenAPI 3.1 document at `/api/openapi.json`, built with utoipa's
//! types from the operation table (`catalogue.rs`, the same table the
//! bearer check enforces): every `/api/v1` operation with its group, token
//! scope, path and query parameters, example body, the paged-list shape and
//! the error shape. Built once per process.

use super::catalogue::{OPS, Op, TAGS};
use super::cursor::{DEFAULT_LIMIT, MAX_LIMIT};
use super::scopes::Scope;
use crate::error::CODES;
use serde_json::json;
use std::sync::LazyLock;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{
    AllOfBuilder, ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref,
    Required, ResponseBuilder, ResponsesBuilder,
};

static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| document().to_pretty_json().unwrap_or_default());

/// The served bytes.
pub fn json() -> &'static str {
    &DOCUMENT
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn nullable_string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

fn error_schema() -> Schema {
    let field_error = ObjectBuilder::new()
        .property("field", string())
        .property("message", string())
        .required("field")
        .required("message");
    let detail = ObjectBuilder::new()
        .property(
            "code",
            string()
                .enum_values(Some(CODES.iter().copied()))
                .description(Some(
                    "A stable snake_case code; the README lists what each means.",
                )),
        )
        .property(
            "message",
            string().description(Some(
                "What went wrong and what to do, in words for a person.",
            )),
        )
        .property(
            "field",
            string().description(Some("The input at fault, when one is.")),
        )
        .property(
            "scope",
            string().description(Some(
                "The token scope the operation needs (`insufficient_scope`).",
            )),
        )
        .property("fields", ArrayBuilder::new().items(field_error))
        .property(
            "related",
            ArrayBuilder::new().items(ObjectBuilder::new().description(Some(
                "A book the request may duplicate: id, title, authors, url.",
            ))),
        )
        .required("code")
        .required("message");
    ObjectBuilder::new()
        .property("error", detail)
        .required("error")
        .examples([json!({"error": {"code": "insufficient_scope", "message": "This token may not do that: it needs the `clubs:write` scope.", "scope": "clubs:write"}})])
        .into()
}

/// A page of a list; `item` names the schema of its items when it has one.
fn page_schema(item: Option<&str>) -> Schema {
    let items = match item {
        Some(name) => ArrayBuilder::new().items(Ref::from_schema_name(name)),
        None => ArrayBuilder::new().items(ObjectBuilder::new()),
    };
    ObjectBuilder::new()
        .property("items", items)
        .property(
            "next_cursor",
            nullable_string().description(Some(
                "Pass as `cursor` for the next page; null on the last page.",
            )),
        )
        .property(
            "total",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .description(Some(
                    "How many items the whole list holds, on the lists whose summary says so.",
                )),
        )
        .required("items")
        .required("next_cursor")
        .into()
}

/// The component a paged operation answers: `Page`, `ReviewPage` for
/// pages of `Review`s, `ThreadPostPage` for a `Thread` with a page of its
/// `Post`s.
fn page_name(op: &Op) -> String {
    format!(
        "{}{}Page",
        op.around.unwrap_or_default(),
        op.item.unwrap_or_default()
    )
}

/// A page inside its `around`: both schemas' fields.
fn page_in_schema(around: &str, item: &str) -> Schema {
    AllOfBuilder::new()
        .item(Ref::from_schema_name(around))
        .item(Ref::from_schema_name(format!("{item}Page")))
        .into()
}

fn method(m: &str) -> HttpMethod {
    match m {
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

/// A stable operation id: the method and the path's words.
pub fn operation_id(op: &Op) -> String {
    let words: Vec<&str> = op
        .path
        .trim_start_matches("/api/v1/")
        .split('/')
        .map(|w| w.trim_start_matches('{').trim_end_matches('}'))
        .collect();
    format!(
        "{}_{}",
        op.method.to_lowercase(),
        words.join("_").replace(['-', ':'], "_")
    )
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|w| w.strip_prefix('{').and_then(|w| w.strip_suffix('}')))
}

fn error_response(words: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(words)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Error")))
                .build(),
        )
        .build()
}

fn operation(op: &Op) -> utoipa::openapi::path::Operation {
    let mut b = OperationBuilder::new()
        .operation_id(Some(operation_id(op)))
        .summary(Some(op.summary))
        .description(Some(format!(
            "Token scope: `{}`. {}",
            op.scope,
            op.scope.description()
        )))
        .tag(op.tag);
    for name in path_params(op.path) {
        b = b.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(string())),
        );
    }
    for (name, words) in op.query {
        b = b.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(*words))
                .schema(Some(string())),
        );
    }
    if op.paged {
        b = b
            .parameter(
                ParameterBuilder::new()
                    .name("limit")
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some(format!(
                        "Items per page, 1 to {MAX_LIMIT} ({DEFAULT_LIMIT} when left out)."
                    )))
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(1))
                            .maximum(Some(MAX_LIMIT)),
                    )),
            )
            .parameter(
                ParameterBuilder::new()
                    .name("cursor")
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .description(Some("`next_cursor` from the previous page, as it was."))
                    .schema(Some(string())),
            );
    }
    if let Some(body) = op.body {
        let example: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        b = b.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new()))
                        .example(Some(example))
                        .build(),
                )
                .build(),
        ));
    }
    let ok = if op.paged {
        ResponseBuilder::new()
            .description("One page of the list.")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(page_name(op))))
                    .build(),
            )
    } else {
        ResponseBuilder::new()
            .description("Done; the JSON describes the result.")
            .content(
                "application/json",
                // Any JSON: most handlers' bodies are not typed for the
                // document yet, and some answer arrays.
                ContentBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(SchemaType::AnyValue)))
                    .build(),
            )
    };
    let responses = ResponsesBuilder::new()
        .response("2XX", ok.build())
        .response(
            "401",
            error_response("`unauthenticated`: sign in, or send a valid token."),
        )
        .response(
            "403",
            error_response(
                "`forbidden`, or `insufficient_scope` naming the scope the token lacks.",
            ),
        )
        .response("404", error_response("`not_found`."))
        .response(
            "422",
            error_response("`invalid`, naming the field (e.g. `cursor`)."),
        )
        .response("429", error_response("`rate_limited`, with `Retry-After`."))
        .response("default", error_response("Any other error, with its code."));
    b = b.responses(responses);
    // A token needs the scope; a signed-in session (the site itself) may
    // call it too. Reads also answer signed-out visitors what they may see.
    b = b
        .security(SecurityRequirement::new("bearer", [op.scope.name()]))
        .security(SecurityRequirement::new("session", Vec::<String>::new()));
    if op.scope == Scope::Read {
        b = b.security(SecurityRequirement::default());
    }
    b.build()
}

pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for op in OPS {
        paths = paths.path(op.path, PathItem::new(method(op.method), operation(op)));
    }
    let scopes: Vec<String> = Scope::ALL
        .iter()
        .map(|s| format!("`{}`: {}", s.name(), s.description()))
        .collect();
    let mut components = ComponentsBuilder::new()
        .schema("Error", error_schema())
        .schema("Page", page_schema(None))
        .schema_from::<crate::api::ReviewJson>()
        .schema_from::<crate::api::ReviewerJson>()
        .schema_from::<crate::clubs::directory::ClubJson>()
        .schema_from::<crate::clubs::membership::MemberJson>()
        .schema_from::<crate::edit::history::ApiChange>()
        .schema_from::<crate::edit::history::ApiField>()
        .schema_from::<crate::clubs::discussion::ThreadJson>()
        .schema_from::<crate::clubs::discussion::PostJson>()
        .schema_from::<crate::clubs::discussion::AnchorJson>();
    for op in OPS {
        let Some(item) = op.item else { continue };
        components = components.schema(format!("{item}Page"), page_schema(Some(item)));
        if let Some(around) = op.around {
            components = components.schema(page_name(op), page_in_schema(around, item));
        }
    }
    let components = components
        .security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(format!(
                        "A personal access token (`quire_pat_…`) from /account/tokens. Each operation names the scope it needs. Scopes: {}",
                        scopes.join(" ")
                    )))
                    .build(),
            ),
        )
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The signed-in session of the site itself.",
            ))),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Quire API")
                .version("1")
                .description(Some(
                    "The JSON API of a Quire server: books, clubs, reading and insights, with the same permission and spoiler rules as its pages. Errors are `{\"error\": {\"code\", \"message\", \"field\"}}` with stable codes; growing lists are paged with `limit` and an opaque `cursor`.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components))
        .tags(Some(
            TAGS.iter()
                .map(|(name, words)| TagBuilder::new().name(*name).description(Some(*words)).build())
                .collect::<Vec<_>>(),
        ))
        .build()
}
