//! The build's check of the calls between applications ([`crate::xref`]): every node type,
//! once resolved, its findings as cargo warnings or, with `xref = deny`, the build's error.

use crate::apps::{AppIndex, Origin, OtpInstall, Resolved};
use crate::embed::XREF_RECORDED;
use crate::spec::{ReleaseSpec, XrefPolicy, DEFAULT_PROFILE};
use crate::xref::{Preloaded, Recorded};

use super::{BuildError, RenderedFile};

/// Checks every resolved node type; returns the warnings to print and what a tree's binary
/// needs to check the tree where no OTP is installed (see [`Recorded`]), to embed.
pub(super) fn check(
    spec: &ReleaseSpec,
    otp: &OtpInstall,
    index: &AppIndex,
    nodes: &[Resolved],
) -> Result<(Vec<String>, RenderedFile), BuildError> {
    let reports = crate::xref::check_release(&spec.xref_ignore, otp, index, nodes)?;
    let warnings = crate::xref::warnings(&reports);
    if spec.xref == XrefPolicy::Deny && !warnings.is_empty() {
        return Err(BuildError::Xref { findings: warnings });
    }
    let mut otp_apps: Vec<String> =
        nodes.iter().flat_map(|n| &n.apps).filter(|a| a.origin == Origin::Otp).map(|a| a.name.clone()).collect();
    otp_apps.sort();
    otp_apps.dedup();
    let recorded = Recorded { preloaded: Preloaded::of_otp(otp)?, otp_apps };
    Ok((warnings, RenderedFile::new(DEFAULT_PROFILE, None, XREF_RECORDED, recorded.to_json())))
}
