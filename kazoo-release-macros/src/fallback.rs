//! What an input with errors expands to: the errors, plus an `impl Release` that type-checks,
//! so code using the type does not add a cascade of "trait not implemented" errors.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub fn stub(input: &DeriveInput, errors: syn::Error) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let errors = errors.into_compile_error();
    quote! {
        #errors
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::kazoo_release::__private::Release for #ident #ty_generics #where_clause {
                fn spec() -> ::core::result::Result<
                    ::kazoo_release::__private::ReleaseSpec,
                    ::kazoo_release::__private::SerError,
                > {
                    ::core::unreachable!("the #[derive(Release)] input has compile errors")
                }
            }
        };
    }
}
