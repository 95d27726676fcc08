//! The derive behind `kazoo_release::Release`: reads the release described in attributes,
//! checks it at compile time, and implements `kazoo_release::spec::Release`. Entry points
//! only; the work happens on `proc_macro2` types in the modules, where it is unit-tested.

mod ast;
mod attr;
mod check;
mod erlang;
mod errors;
mod expand;
mod fallback;
mod sym;
mod value;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

#[proc_macro_derive(Release, attributes(release, node, vm_args, overlay, profile, hook))]
pub fn derive_release(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).unwrap_or_else(|errors| fallback::stub(&input, errors)).into()
}

#[cfg(test)]
mod tests;
