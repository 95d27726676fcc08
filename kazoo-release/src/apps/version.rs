//! Comparing application versions the way Erlang people read them: `3.10` is above `3.9`.

use std::cmp::Ordering;

/// One piece of a version between `.` and `-` separators.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part<'a> {
    // Declared first so that, as in Erlang's term order, a number sorts below text.
    Number(u64),
    Text(&'a str),
}

fn parts(vsn: &str) -> impl Iterator<Item = Part<'_>> {
    vsn.split(['.', '-']).map(|part| match part.parse() {
        Ok(n) => Part::Number(n),
        Err(_) => Part::Text(part),
    })
}

/// Orders two versions part by part (split on `.` and `-`), numeric parts as numbers; a
/// version that extends another is the higher (`1.0.1` > `1.0`).
///
/// Versions equal part by part but spelled differently (`1.01`, `1.1`) fall back to the
/// text, so that the order is total and the choice between them is stable.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    parts(a).cmp(parts(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::compare_versions;
    use std::cmp::Ordering::*;

    #[test]
    fn numeric_parts_compare_as_numbers() {
        assert_eq!(compare_versions("3.10", "3.9.2"), Greater);
        assert_eq!(compare_versions("1.0", "1.0.1"), Less);
        assert_eq!(compare_versions("2.0-rc1", "2.0-rc2"), Less);
        assert_eq!(compare_versions("1.2", "1.2"), Equal);
        assert_eq!(compare_versions("1.0.a", "1.0.1"), Greater);
    }
}
