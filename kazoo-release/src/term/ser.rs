//! Serde support: typed Rust data becomes Erlang terms, the way Erlang configs spell them.
//!
//! | Rust | Erlang |
//! |---|---|
//! | struct, map | proplist `[{field, Value}]`; `None` fields and entries are left out, string keys become atoms |
//! | struct with no fields, unit struct, `()` | `[]` (the empty proplist) |
//! | unit variant | atom (`#[serde(rename_all = "snake_case")]` gives `info`) |
//! | newtype / tuple / struct variant | `{variant, V}` / `{variant, A, B}` / `{variant, [{k, v}]}` |
//! | tuple, tuple struct | tuple |
//! | `Vec`, slice, set | list |
//! | `bool` | `true` / `false` |
//! | integers | integer (beyond `i64` is an error) |
//! | `f32`, `f64` | float (infinity and NaN are errors) |
//! | `char` | integer (its code point, as `$c` is in Erlang) |
//! | `String`, `&str` | charlist; [`Atom`], [`Binary`], `as_atom`, `as_binary` choose otherwise |
//! | bytes (`serde_bytes`) | binary |
//! | `None` in a list or tuple | `undefined` |
//! | newtype struct | its content |
//! | [`Term`] | itself |

use std::fmt::Display;

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{self, Serialize, Serializer};

use super::Term;

/// Why a value has no Erlang term.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SerError {
    #[error("integer {0} does not fit a 64-bit Erlang integer")]
    IntegerOutOfRange(String),
    #[error("float {0} has no Erlang term (Erlang floats are finite)")]
    NonFiniteFloat(f64),
    #[error("{0}")]
    Custom(String),
}

impl ser::Error for SerError {
    fn custom<T: Display>(msg: T) -> Self {
        SerError::Custom(msg.to_string())
    }
}

/// The Erlang term for `value` (see the module documentation for the mapping).
pub fn to_term<T: Serialize + ?Sized>(value: &T) -> Result<Term, SerError> {
    Ok(value.serialize(TermSerializer::default())?.unwrap_or_else(undefined))
}

fn undefined() -> Term {
    Term::atom("undefined")
}

/// The newtype name a [`Term`] serializes under, so [`TermSerializer`] can recognise it.
const MAGIC: &str = "$kazoo_release::term::Term";

impl Serialize for Term {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(MAGIC, &Tagged(self))
    }
}

/// A [`Term`] in serde's externally tagged enum form: what other formats see, and what the
/// derived `Deserialize` reads.
struct Tagged<'a>(&'a Term);

impl Serialize for Tagged<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Term::Atom(v) => s.serialize_newtype_variant("Term", 0, "Atom", v),
            Term::Integer(v) => s.serialize_newtype_variant("Term", 1, "Integer", v),
            Term::Float(v) => s.serialize_newtype_variant("Term", 2, "Float", v),
            Term::Charlist(v) => s.serialize_newtype_variant("Term", 3, "Charlist", v),
            Term::Binary(v) => s.serialize_newtype_variant("Term", 4, "Binary", v),
            Term::Tuple(v) => s.serialize_newtype_variant("Term", 5, "Tuple", v),
            Term::List(v) => s.serialize_newtype_variant("Term", 6, "List", v),
            Term::Map(v) => s.serialize_newtype_variant("Term", 7, "Map", v),
        }
    }
}

/// Reverses what [`TermSerializer`] makes of [`Tagged`]: `{'Atom', "ok"}` is `ok` again.
/// The elements of a tuple, list or map were Terms, so they are already untagged.
fn untag(tagged: Term) -> Option<Term> {
    let Term::Tuple(pair) = tagged else {
        return None;
    };
    let [Term::Atom(tag), value] = <[Term; 2]>::try_from(pair).ok()? else {
        return None;
    };
    Some(match (tag.as_str(), value) {
        ("Atom", Term::Charlist(name)) => Term::Atom(name),
        ("Integer", v @ Term::Integer(_)) | ("Float", v @ Term::Float(_)) | ("Charlist", v @ Term::Charlist(_)) => v,
        ("Binary", Term::List(bytes)) => {
            Term::Binary(bytes.iter().map(|b| u8::try_from(b.as_integer()?).ok()).collect::<Option<_>>()?)
        }
        ("Tuple", Term::List(items)) => Term::Tuple(items),
        ("List", Term::List(items)) => Term::List(items),
        ("Map", Term::List(pairs)) => Term::Map(
            pairs
                .into_iter()
                .map(|pair| match pair {
                    Term::Tuple(kv) => <[Term; 2]>::try_from(kv).ok().map(|[k, v]| (k, v)),
                    _ => None,
                })
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

/// `Ok(None)` stands for Rust's `None`, which proplists leave out.
#[derive(Default, Clone, Copy)]
struct TermSerializer {
    /// Serializing a map key: a string becomes an atom.
    key: bool,
}

type Out = Result<Option<Term>, SerError>;

fn int<T: TryInto<i64> + Display + Copy>(value: T) -> Out {
    match value.try_into() {
        Ok(value) => Ok(Some(Term::Integer(value))),
        Err(_) => Err(SerError::IntegerOutOfRange(value.to_string())),
    }
}

/// Every integer width becomes an Erlang integer the same way (out of range: an error).
macro_rules! serialize_integers {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Out {
            int(v)
        }
    )*};
}

impl Serializer for TermSerializer {
    type Ok = Option<Term>;
    type Error = SerError;
    type SerializeSeq = Items;
    type SerializeTuple = Items;
    type SerializeTupleStruct = Items;
    type SerializeTupleVariant = Items;
    type SerializeMap = Proplist;
    type SerializeStruct = Proplist;
    type SerializeStructVariant = Proplist;

    fn serialize_bool(self, v: bool) -> Out {
        Ok(Some(Term::atom(if v { "true" } else { "false" })))
    }
    serialize_integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128);
    fn serialize_f32(self, v: f32) -> Out {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Out {
        if v.is_finite() {
            Ok(Some(Term::Float(v)))
        } else {
            Err(SerError::NonFiniteFloat(v))
        }
    }
    fn serialize_char(self, v: char) -> Out {
        int(u32::from(v))
    }
    fn serialize_str(self, v: &str) -> Out {
        Ok(Some(if self.key { Term::atom(v) } else { Term::charlist(v) }))
    }
    fn serialize_bytes(self, v: &[u8]) -> Out {
        Ok(Some(Term::binary(v)))
    }
    fn serialize_none(self) -> Out {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Out {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Out {
        Ok(Some(Term::List(Vec::new())))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Out {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Out {
        Ok(Some(Term::atom(variant)))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Out {
        if name != MAGIC {
            return value.serialize(self);
        }
        let tagged = value.serialize(TermSerializer::default())?;
        match tagged.and_then(untag) {
            Some(term) => Ok(Some(term)),
            None => Err(SerError::Custom(format!("the newtype name `{MAGIC}` is reserved for Term"))),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Out {
        Ok(Some(Term::tuple([Term::atom(variant), to_term(value)?])))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items, SerError> {
        Ok(Items { items: Vec::with_capacity(len.unwrap_or(0)), tuple: false })
    }
    fn serialize_tuple(self, len: usize) -> Result<Items, SerError> {
        Ok(Items { items: Vec::with_capacity(len), tuple: true })
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Items, SerError> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Items, SerError> {
        let mut items = Vec::with_capacity(len + 1);
        items.push(Term::atom(variant));
        Ok(Items { items, tuple: true })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Proplist, SerError> {
        Ok(Proplist::new(len.unwrap_or(0), None))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Proplist, SerError> {
        Ok(Proplist::new(len, None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Proplist, SerError> {
        Ok(Proplist::new(len, Some(variant)))
    }
}

/// The elements of a list or tuple; `None` elements are `undefined`, as in Erlang records.
struct Items {
    items: Vec<Term>,
    tuple: bool,
}

impl Items {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.items.push(to_term(value)?);
        Ok(())
    }

    fn finish(self) -> Out {
        Ok(Some(if self.tuple { Term::Tuple(self.items) } else { Term::List(self.items) }))
    }
}

/// Sequences, tuples, tuple structs and tuple variants all collect items the same way; only
/// serde's trait and method names differ.
macro_rules! collect_items {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Items {
            type Ok = Option<Term>;
            type Error = SerError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
                self.push(value)
            }
            fn end(self) -> Out {
                self.finish()
            }
        }
    )*};
}

collect_items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// The `{Key, Value}` entries of a struct or map, in order; `None` values are left out.
struct Proplist {
    entries: Vec<Term>,
    /// A map key waiting for its value.
    key: Option<Term>,
    /// A struct variant wraps the proplist as `{variant, [...]}`.
    variant: Option<&'static str>,
}

impl Proplist {
    fn new(len: usize, variant: Option<&'static str>) -> Proplist {
        Proplist { entries: Vec::with_capacity(len), key: None, variant }
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: Term, value: &T) -> Result<(), SerError> {
        if let Some(value) = value.serialize(TermSerializer::default())? {
            self.entries.push(Term::tuple([key, value]));
        }
        Ok(())
    }

    fn finish(self) -> Out {
        let list = Term::List(self.entries);
        Ok(Some(match self.variant {
            Some(variant) => Term::tuple([Term::atom(variant), list]),
            None => list,
        }))
    }
}

impl ser::SerializeMap for Proplist {
    type Ok = Option<Term>;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        let key = key.serialize(TermSerializer { key: true })?;
        self.key = Some(key.unwrap_or_else(undefined));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        match self.key.take() {
            Some(key) => self.entry(key, value),
            None => Err(SerError::Custom("a map value came before its key".into())),
        }
    }
    fn end(self) -> Out {
        self.finish()
    }
}

/// Structs and struct variants both become `[{field, Value}]`.
macro_rules! collect_fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Proplist {
            type Ok = Option<Term>;
            type Error = SerError;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), SerError> {
                self.entry(Term::atom(key), value)
            }
            fn end(self) -> Out {
                self.finish()
            }
        }
    )*};
}

collect_fields!(SerializeStruct, SerializeStructVariant);

/// Which term a Rust string stands for, when a charlist is not what Erlang expects.
#[derive(Clone, Copy)]
enum StringKind {
    Atom,
    Binary,
    Charlist,
}

impl StringKind {
    fn term(self, text: &str) -> Term {
        match self {
            StringKind::Atom => Term::atom(text),
            StringKind::Binary => Term::binary(text),
            StringKind::Charlist => Term::charlist(text),
        }
    }

    /// Reads back what `term(..)` serialized to (in JSON: `{"Atom": "info"}`).
    fn deserialize<'de, D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        match (self, Term::deserialize(deserializer)?) {
            (StringKind::Atom, Term::Atom(text)) | (StringKind::Charlist, Term::Charlist(text)) => Ok(text),
            (StringKind::Binary, Term::Binary(bytes)) => String::from_utf8(bytes).map_err(D::Error::custom),
            (kind, other) => {
                let wanted = match kind {
                    StringKind::Atom => "an atom",
                    StringKind::Binary => "a binary",
                    StringKind::Charlist => "a charlist",
                };
                Err(D::Error::custom(format!("expected {wanted}, found `{other}`")))
            }
        }
    }
}

macro_rules! string_wrapper {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub String);

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                StringKind::$name.term(&self.0).serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                StringKind::$name.deserialize(deserializer).map($name)
            }
        }
    };
}

string_wrapper! {
    /// A string that serializes as an atom (`info`, `'kazoo-apps'`).
    Atom
}
string_wrapper! {
    /// A string that serializes as a binary (`<<"0000000000">>`), as Kazoo's code expects
    /// of call ids and account names.
    Binary
}
string_wrapper! {
    /// A string that serializes as a charlist: the default for strings, spelled out for
    /// when a type must say so (a map key, which would otherwise become an atom).
    Charlist
}

/// `#[serde(with = "kazoo_release::term::as_atom")]` on a `String` field: write it as an atom.
pub mod as_atom {
    use super::*;

    pub fn serialize<T: AsRef<str> + ?Sized, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        StringKind::Atom.term(value.as_ref()).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        StringKind::Atom.deserialize(deserializer)
    }
}

/// `#[serde(with = "kazoo_release::term::as_binary")]` on a `String` field: write it as a
/// binary.
pub mod as_binary {
    use super::*;

    pub fn serialize<T: AsRef<str> + ?Sized, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        StringKind::Binary.term(value.as_ref()).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        StringKind::Binary.deserialize(deserializer)
    }
}
