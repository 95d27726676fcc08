//! Collects every error of one input so that a single compile reports them all.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        self.list.push(error);
    }

    /// An error spanning the whole syntax node (first to last token).
    pub fn at<T: ToTokens>(&mut self, node: T, message: impl Display) {
        self.push(syn::Error::new_spanned(node, message));
    }

    /// Records the error of `result`, if any, and lets the caller carry on without a value.
    pub fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = syn::Error>) {
        self.list.extend(errors);
    }

    /// All errors as one `syn::Error`, which renders as one `compile_error!` each, in source
    /// order (parsing and checking find them in different orders).
    pub fn finish(mut self) -> syn::Result<()> {
        self.list.sort_by_key(|e| {
            let start = e.span().start();
            (start.line, start.column)
        });
        let mut list = self.list.into_iter();
        let Some(mut first) = list.next() else {
            return Ok(());
        };
        for error in list {
            first.combine(error);
        }
        Err(first)
    }
}

/// A value together with the tokens it was written as, so a later check can point at them.
#[derive(Clone, Debug)]
pub struct Located<T> {
    pub value: T,
    pub node: TokenStream,
}

impl<T> Located<T> {
    pub fn new(value: T, node: impl ToTokens) -> Self {
        Located { value, node: node.into_token_stream() }
    }

    pub fn error(&self, message: impl Display) -> syn::Error {
        syn::Error::new_spanned(&self.node, message)
    }

    pub fn span(&self) -> Span {
        self.node.clone().into_iter().next().map_or_else(Span::call_site, |t| t.span())
    }
}

/// Where the first of two occurrences is, for a "duplicate" error on the second: " (first on
/// line N)", or "" when the compiler gives no positions.
pub fn first_at(first: Span, repeat: Span) -> String {
    match (first.start().line, repeat.start().line) {
        (0, _) => String::new(),
        (line, same) if line == same => " (earlier on this line)".to_owned(),
        (line, _) => format!(" (first on line {line})"),
    }
}
