//! Compact decoding of the vault's entry messages (docs/decisions.md D32).
//!
//! serde's derived `Deserialize` emits, for every struct and every enum variant, a visitor and
//! a copy of serde_json_wasm's map parser specialised to it: about 2 KiB of wasm per variant,
//! 40 % of the vault's code. The vault's message enums are instead parsed once into a [`Json`]
//! tree by one generic visitor, then read field by field with readers shared by every
//! variant. Nested types the vault also keeps in storage (and so already carries a derived
//! deserializer for) are written back to JSON and handed to that deserializer, so their
//! defaults and formats stay serde's.
//!
//! Stricter than the derive: an unknown field, a duplicate field or a message that is not an
//! object with exactly one variant key is refused, where the derive ignores unknown fields.

use std::fmt::Write;

use cosmwasm_schema::serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use cosmwasm_schema::serde::{Deserialize, Deserializer};
use cosmwasm_std::{Addr, Binary, Uint128};

/// A parsed JSON value; numbers are the integers serde_json_wasm parses (no floats).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::U64(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(if v >= 0 {
            Json::U64(v.unsigned_abs())
        } else {
            Json::I64(v)
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Arr(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            entries.push((key, value));
        }
        Ok(Json::Obj(entries))
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

/// Decoding error: the message shown in `StdError::ParseErr`.
pub type DecodeResult<T> = Result<T, String>;

fn invalid(what: &str, expected: &str) -> String {
    format!("invalid type for {what}: expected {expected}")
}

impl Json {
    /// Writes the value as compact JSON (strings escaped as JSON requires).
    #[inline(never)]
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::U64(n) => {
                let _ = write!(out, "{n}");
            }
            Json::I64(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Str(s) => write_str(s, out),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// Hands the value to `T`'s own (derived) deserializer.
    pub fn into_value<T: DeserializeOwned>(self, what: &str) -> DecodeResult<T> {
        let mut text = String::new();
        self.write(&mut text);
        cosmwasm_std::from_json(text.as_bytes()).map_err(|e| format!("{what}: {e}"))
    }

    /// An externally tagged enum: `{"<variant>": <body>}` with exactly one key, or
    /// `"<variant>"` for a unit variant (body `Null`).
    #[inline(never)]
    pub fn into_variant(self, what: &str) -> DecodeResult<(String, Json)> {
        match self {
            Json::Str(tag) => Ok((tag, Json::Null)),
            Json::Obj(mut entries) if entries.len() == 1 => {
                entries.pop().ok_or_else(|| invalid(what, "one variant"))
            }
            _ => Err(invalid(what, "an object with exactly one variant key")),
        }
    }

    /// The fields of a struct (or struct variant) body.
    #[inline(never)]
    pub fn into_fields(self, what: &'static str) -> DecodeResult<Fields> {
        match self {
            Json::Obj(entries) => Ok(Fields {
                what,
                entries,
                error: None,
            }),
            _ => Err(invalid(what, "an object")),
        }
    }

    #[inline(never)]
    pub fn into_string(self, what: &str) -> DecodeResult<String> {
        match self {
            Json::Str(s) => Ok(s),
            _ => Err(invalid(what, "a string")),
        }
    }

    #[inline(never)]
    fn into_u64(self, what: &str) -> DecodeResult<u64> {
        match self {
            Json::U64(n) => Ok(n),
            _ => Err(invalid(what, "an unsigned integer")),
        }
    }
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The unread fields of one object. Every reader removes its field and returns its value, or
/// a placeholder after recording the first error; [`Fields::finish`] returns that error, or
/// refuses whatever field is left (an unknown or a repeated one). One exit per message keeps
/// the decoders small (no drop path per field).
pub struct Fields {
    what: &'static str,
    entries: Vec<(String, Json)>,
    error: Option<String>,
}

impl Fields {
    #[inline(never)]
    fn fail(&mut self, error: String) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    #[inline(never)]
    fn take(&mut self, key: &str) -> Option<Json> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        match self.entries.remove(i).1 {
            Json::Null => None,
            v => Some(v),
        }
    }

    /// A present, non-null field.
    #[inline(never)]
    fn required(&mut self, key: &str) -> Option<Json> {
        let v = self.take(key);
        if v.is_none() {
            let what = self.what;
            self.fail(format!("missing field `{key}` in {what}"));
        }
        v
    }

    #[inline(never)]
    fn check<T: Default>(&mut self, r: DecodeResult<T>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.fail(e);
                T::default()
            }
        }
    }

    #[inline(never)]
    pub fn string(&mut self, key: &str) -> String {
        match self.required(key) {
            Some(v) => {
                let r = v.into_string(key);
                self.check(r)
            }
            None => String::new(),
        }
    }

    #[inline(never)]
    pub fn opt_string(&mut self, key: &str) -> Option<String> {
        let r = self.take(key).map(|v| v.into_string(key)).transpose();
        self.check(r)
    }

    pub fn addr(&mut self, key: &str) -> Addr {
        Addr::unchecked(self.string(key))
    }

    pub fn opt_addr(&mut self, key: &str) -> Option<Addr> {
        self.opt_string(key).map(Addr::unchecked)
    }

    #[inline(never)]
    pub fn strings(&mut self, key: &str) -> Vec<String> {
        let r = match self.required(key) {
            Some(Json::Arr(items)) => items.into_iter().map(|v| v.into_string(key)).collect(),
            Some(_) => Err(invalid(key, "an array of strings")),
            None => Ok(Vec::new()),
        };
        self.check(r)
    }

    /// `Option<(String, String)>`: a two-element array.
    #[inline(never)]
    pub fn opt_string_pair(&mut self, key: &str) -> Option<(String, String)> {
        let r = match self.take(key) {
            None => Ok(None),
            Some(Json::Arr(items)) if items.len() == 2 => {
                let mut items = items.into_iter();
                match (items.next(), items.next()) {
                    (Some(a), Some(b)) => a
                        .into_string(key)
                        .and_then(|a| Ok(Some((a, b.into_string(key)?)))),
                    _ => Err(invalid(key, "a pair of strings")),
                }
            }
            Some(_) => Err(invalid(key, "a pair of strings")),
        };
        self.check(r)
    }

    #[inline(never)]
    pub fn u64(&mut self, key: &str) -> u64 {
        match self.required(key) {
            Some(v) => {
                let r = v.into_u64(key);
                self.check(r)
            }
            None => 0,
        }
    }

    #[inline(never)]
    pub fn opt_u64(&mut self, key: &str) -> Option<u64> {
        let r = self.take(key).map(|v| v.into_u64(key)).transpose();
        self.check(r)
    }

    #[inline(never)]
    pub fn opt_u32(&mut self, key: &str) -> Option<u32> {
        let r = self
            .opt_u64(key)
            .map(|n| u32::try_from(n).map_err(|_| invalid(key, "a u32")))
            .transpose();
        self.check(r)
    }

    #[inline(never)]
    pub fn u8(&mut self, key: &str) -> u8 {
        let r = u8::try_from(self.u64(key)).map_err(|_| invalid(key, "a u8"));
        self.check(r)
    }

    #[inline(never)]
    pub fn bool(&mut self, key: &str) -> bool {
        let r = match self.required(key) {
            Some(Json::Bool(b)) => Ok(b),
            Some(_) => Err(invalid(key, "a boolean")),
            None => Ok(false),
        };
        self.check(r)
    }

    #[inline(never)]
    pub fn uint128(&mut self, key: &str) -> Uint128 {
        let s = self.string(key);
        let r = parse_uint128(key, &s);
        self.check(r)
    }

    #[inline(never)]
    pub fn opt_uint128(&mut self, key: &str) -> Option<Uint128> {
        let r = self
            .opt_string(key)
            .map(|s| parse_uint128(key, &s))
            .transpose();
        self.check(r)
    }

    #[inline(never)]
    pub fn binary(&mut self, key: &str) -> Binary {
        let s = self.string(key);
        let r = Binary::from_base64(&s).map_err(|e| format!("{key}: {e}"));
        self.check(r)
    }

    /// A field of a type decoded by its own deserializer.
    pub fn value<T: DeserializeOwned + Default>(&mut self, key: &str) -> T {
        let r = match self.required(key) {
            Some(v) => v.into_value(key),
            None => Ok(T::default()),
        };
        self.check(r)
    }

    pub fn opt_value<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let r = self.take(key).map(|v| v.into_value(key)).transpose();
        self.check(r)
    }

    /// A field read by a decoder of this module (a nested enum); `Null` when absent.
    #[inline(never)]
    pub fn json(&mut self, key: &str) -> Json {
        self.required(key).unwrap_or(Json::Null)
    }

    pub fn opt_json(&mut self, key: &str) -> Option<Json> {
        self.take(key)
    }

    /// A nested decoder's result, recorded like a reader's.
    pub fn decoded<T: Default>(&mut self, r: DecodeResult<T>) -> T {
        self.check(r)
    }

    /// The first error of any reader, else a refusal of any field no reader took.
    #[inline(never)]
    pub fn finish(self) -> DecodeResult<()> {
        if let Some(e) = self.error {
            return Err(e);
        }
        match self.entries.first() {
            None => Ok(()),
            Some((key, _)) => Err(format!(
                "unknown or duplicate field `{key}` in {}",
                self.what
            )),
        }
    }
}

/// `Uint128` as its derived deserializer reads it: a decimal string.
fn parse_uint128(key: &str, s: &str) -> DecodeResult<Uint128> {
    s.parse::<u128>()
        .map(Uint128::new)
        .map_err(|e| format!("{key}: {e}"))
}

/// Reads a struct variant's fields into a value and refuses leftovers:
/// `fields!(body, "what", Path::Variant { field: reader, .. })`, where `reader` is a
/// [`Fields`] method taking the field's name.
#[macro_export]
macro_rules! decode_fields {
    ($body:expr, $what:expr, $($seg:ident)::+ { $($field:ident : $read:ident),* $(,)? }) => {{
        #[allow(unused_mut)]
        let mut f = $body.into_fields($what)?;
        let value = $($seg)::+ { $($field: f.$read(stringify!($field))),* };
        f.finish()?;
        value
    }};
}

/// `impl Deserialize` for a type through a decoder `fn(Json) -> DecodeResult<T>`.
#[macro_export]
macro_rules! deserialize_with {
    ($ty:ty, $decode:path) => {
        impl<'de> ::cosmwasm_schema::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::cosmwasm_schema::serde::Deserializer<'de>>(
                d: D,
            ) -> Result<Self, D::Error> {
                let json =
                    <$crate::json::Json as ::cosmwasm_schema::serde::Deserialize>::deserialize(d)?;
                $decode(json).map_err(<D::Error as ::cosmwasm_schema::serde::de::Error>::custom)
            }
        }
    };
}
