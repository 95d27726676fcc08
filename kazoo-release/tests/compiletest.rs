//! Compile-time checks of `#[derive(Release)]`: every case under tests/ui/ must fail with
//! exactly the errors in its `.stderr` (re-bless with `TRYBUILD=overwrite`, then read them);
//! the cases under tests/ui/pass/ must compile and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
