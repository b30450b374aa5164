//! Validation of request bodies, worded and coded like the API's 400s
//! (`missing_required_parameter`, `invalid_type`, `decimal_above_max_value`,
//! `invalid_value`), and typed reads of body members. It builds no answers.

use serde_json::{Map, Value};

use crate::json::{invalid_request, type_name};
use crate::server::Reply;

pub(crate) type Object = Map<String, Value>;

/// A 400 `invalid_request_error` about one parameter.
pub(crate) fn bad_request(message: String, param: &str, code: &str) -> Reply {
    Reply::error(400, invalid_request(&message, Some(param), Some(code)))
}

/// `model` must be a string.
pub(crate) fn validate_model(body: &Object) -> Result<(), Reply> {
    match body.get("model") {
        Some(Value::String(_)) => Ok(()),
        None | Some(Value::Null) => Err(bad_request(
            "Missing required parameter: 'model'.".to_owned(),
            "model",
            "missing_required_parameter",
        )),
        Some(other) => Err(invalid_type("model", "a string", other)),
    }
}

/// The 400 for a member of the wrong JSON type.
pub(crate) fn invalid_type(param: &str, expected: &str, got: &Value) -> Reply {
    bad_request(
        format!(
            "Invalid type for '{param}': expected {expected}, but got {} instead.",
            type_name(got)
        ),
        param,
        "invalid_type",
    )
}

/// A number member within `[min, max]`, as the API words its range errors.
pub(crate) fn validate_range(body: &Object, param: &str, min: f64, max: f64) -> Result<(), Reply> {
    let Some(value) = body.get(param).filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let Some(number) = value.as_f64() else {
        return Err(invalid_type(param, "a decimal", value));
    };
    if number > max {
        return Err(bad_request(
            format!("Invalid '{param}': decimal above maximum value. Expected a value <= {max}, but got {value} instead."),
            param,
            "decimal_above_max_value",
        ));
    }
    if number < min {
        return Err(bad_request(
            format!("Invalid '{param}': decimal below minimum value. Expected a value >= {min}, but got {value} instead."),
            param,
            "decimal_below_min_value",
        ));
    }
    Ok(())
}

/// `input`: a string or a list of item objects (or absent).
pub(crate) fn validate_input(body: &Object) -> Result<(), Reply> {
    match body.get("input") {
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if !item.is_object() {
                    return Err(invalid_type(
                        &format!("input[{i}]"),
                        "an input item object",
                        item,
                    ));
                }
            }
            Ok(())
        }
        Some(other) => Err(invalid_type(
            "input",
            "one of a string or array of input items",
            other,
        )),
    }
}

fn validate_optional_kind(
    body: &Object,
    param: &str,
    expected: &str,
    ok: fn(&Value) -> bool,
) -> Result<(), Reply> {
    match body.get(param) {
        Some(v) if !v.is_null() && !ok(v) => Err(invalid_type(param, expected, v)),
        _ => Ok(()),
    }
}

pub(crate) fn validate_create(body: &Object) -> Result<(), Reply> {
    validate_model(body)?;
    validate_input(body)?;
    validate_range(body, "temperature", 0.0, 2.0)?;
    validate_range(body, "top_p", 0.0, 1.0)?;
    validate_optional_kind(body, "instructions", "a string", Value::is_string)?;
    validate_optional_kind(body, "tools", "an array", Value::is_array)?;
    validate_optional_kind(body, "stream", "a boolean", Value::is_boolean)?;
    validate_optional_kind(body, "store", "a boolean", Value::is_boolean)?;
    validate_optional_kind(body, "background", "a boolean", Value::is_boolean)?;
    validate_optional_kind(body, "include", "an array", Value::is_array)?;
    validate_optional_kind(body, "reasoning", "an object", Value::is_object)?;
    validate_optional_kind(body, "previous_response_id", "a string", Value::is_string)?;
    match body.get("tool_choice") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(Value::String(mode)) if matches!(mode.as_str(), "none" | "auto" | "required") => {}
        Some(Value::String(mode)) => {
            return Err(bad_request(
                format!(
                "Invalid value: '{mode}'. Supported values are: 'none', 'auto', and 'required'."
            ),
                "tool_choice",
                "invalid_value",
            ))
        }
        Some(other) => return Err(invalid_type("tool_choice", "a string or an object", other)),
    }
    if flag(body, "background", false) && !flag(body, "store", true) {
        return Err(Reply::error(
            400,
            invalid_request(
                "Background mode requires store=true.",
                Some("background"),
                None,
            ),
        ));
    }
    Ok(())
}

pub(crate) fn flag(body: &Object, name: &str, default: bool) -> bool {
    body.get(name).and_then(Value::as_bool).unwrap_or(default)
}

pub(crate) fn text_member<'a>(body: &'a Object, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}
