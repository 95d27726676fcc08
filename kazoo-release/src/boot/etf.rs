//! The `.boot` file: the script in Erlang's External Term Format, as `term_to_binary/1`
//! writes it, so the node's init reads it without parsing any text.

use crate::term::Term;

use super::error::BootError;

/// `term_to_binary(Script)`: the bytes of a `.boot` file. `node` names the node type in
/// the error, which only an atom over 255 characters or a huge integer can cause.
pub fn boot_bytes(node: &str, script: &Term) -> Result<Vec<u8>, BootError> {
    let mut bytes = Vec::new();
    to_etf(script)
        .encode(&mut bytes)
        .map_err(|err| BootError::Encode { node: node.to_owned(), message: err.to_string() })?;
    Ok(bytes)
}

/// The same term as eetf models it. A charlist becomes a list of code points, which eetf
/// (like Erlang) writes as STRING_EXT when every one is a byte; a map loses its source
/// order, which Erlang's maps do not keep either.
pub fn to_etf(term: &Term) -> eetf::Term {
    match term {
        Term::Atom(name) => eetf::Atom::from(name.as_str()).into(),
        Term::Integer(value) => integer(*value),
        Term::Float(value) => eetf::Float { value: *value }.into(),
        Term::Charlist(text) => {
            let codes = text.chars().map(|c| eetf::FixInteger::from(c as i32).into());
            eetf::List::from(codes.collect::<Vec<_>>()).into()
        }
        Term::Binary(bytes) => eetf::Binary::from(bytes.clone()).into(),
        Term::Tuple(items) => eetf::Tuple::from(items.iter().map(to_etf).collect::<Vec<_>>()).into(),
        Term::List(items) => eetf::List::from(items.iter().map(to_etf).collect::<Vec<_>>()).into(),
        Term::Map(pairs) => {
            let map = pairs.iter().map(|(k, v)| (to_etf(k), to_etf(v)));
            eetf::Map::from(map.collect::<std::collections::HashMap<_, _>>()).into()
        }
    }
}

/// Small integers as INTEGER_EXT, the rest as bignums, as Erlang encodes them.
fn integer(value: i64) -> eetf::Term {
    match i32::try_from(value) {
        Ok(small) => eetf::FixInteger::from(small).into(),
        Err(_) => eetf::BigInteger::from(value).into(),
    }
}
