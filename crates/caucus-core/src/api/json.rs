//! Reading a command's arguments from JSON text, for the transports that receive text (the
//! HTTP bridge). Stricter than `serde_json::from_slice` into a `Value`, which keeps the last
//! of a key given twice: two readers of one request must never see two different requests,
//! so a key given twice is refused. A refusal names the field where the text broke (a lone
//! surrogate in `title` says `title`), as a refusal of a value does.

use crate::error::{ApiError, CoreError};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The JSON value in `text`, or a typed refusal naming where it is broken.
pub fn arguments(text: &[u8]) -> Result<Value, ApiError> {
    let mut reader = serde_json::Deserializer::from_slice(text);
    let refuse = |path: String, message: String| -> ApiError {
        let field = if path == "." { "input".into() } else { path };
        CoreError::invalid(field, format!("not valid JSON: {message}")).into()
    };
    let Strict(value) = serde_path_to_error::deserialize(&mut reader)
        .map_err(|e| refuse(e.path().to_string(), e.inner().to_string()))?;
    reader
        .end()
        .map_err(|e| refuse(".".into(), e.to_string()))?;
    Ok(value)
}

/// A `Value` that refuses a key given twice.
struct Strict(Value);

impl<'de> de::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                // Refused while reading the second value, so the refusal's path names it.
                map.next_value_seed(Twice)?;
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// The second value of a key given twice: refused.
struct Twice;

impl<'de> DeserializeSeed<'de> for Twice {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        Err(de::Error::custom("this field is given twice"))
    }
}

#[cfg(test)]
mod tests {
    use super::arguments;

    fn field(text: &str) -> Option<String> {
        arguments(text.as_bytes()).err().and_then(|e| e.field)
    }

    #[test]
    fn a_request_reads_as_serde_json_reads_it() {
        let text = r#"{"a": [1, -2, 3.5, true, null, "x\u00e9"], "b": {"c": {}}}"#;
        assert_eq!(
            arguments(text.as_bytes()).expect("strict"),
            serde_json::from_str::<serde_json::Value>(text).expect("lenient")
        );
    }

    #[test]
    fn a_key_given_twice_is_refused_naming_it() {
        assert_eq!(
            field(r#"{"title": "a", "title": "b"}"#).as_deref(),
            Some("title")
        );
        assert_eq!(
            field(r#"{"organization": {"name": "a", "name": "b"}}"#).as_deref(),
            Some("organization.name")
        );
    }

    #[test]
    fn broken_text_is_refused_naming_the_field_it_is_in() {
        assert_eq!(field(r#"{"title": "a\ud800b"}"#).as_deref(), Some("title"));
        assert_eq!(field(r#"{"position": 1e400}"#).as_deref(), Some("position"));
        assert_eq!(
            field(r#"{"labels": ["ok", "\udc00"]}"#).as_deref(),
            Some("labels[1]")
        );
        assert_eq!(field(r#"{"a": 1} x"#).as_deref(), Some("input"));
        assert!(arguments("[".repeat(10_000).as_bytes()).is_err());
    }
}
