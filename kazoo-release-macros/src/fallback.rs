//! What an input with errors expands to: the errors, plus an `impl Release` that type-checks,
//! so code using the type does not add a cascade of "trait not implemented" errors.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub fn stub(input: &DeriveInput, errors: syn::Error) -> TokenStream {
    let errors = errors.into_compile_error();
    let body = quote!(::core::unreachable!("the #[derive(Release)] input has compile errors"));
    let krate = crate::attr::crate_path(input);
    let stub = crate::expand::impl_release(&input.ident, &input.generics, krate.as_ref(), body);
    quote! {
        #errors
        #stub
    }
}
