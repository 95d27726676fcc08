//! Which of several same-named sections apply to this node, as Kazoo's `kz_config` decides.
//!
//! A section is tagged by its `host` key if it has one, else by its zone key (`zone`, or
//! `name` for the `[zone]` sections themselves), else it is generic. The first section
//! whose host is this machine's wins alone; otherwise all sections of this node's zone
//! apply; otherwise all generic ones. A section for another host or another zone never
//! applies, even when nothing else does.

use ini::Properties;

/// One section of config.ini, values read as Kazoo reads them.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    props: &'a Properties,
}

impl<'a> Section<'a> {
    pub(super) fn new(props: &'a Properties) -> Self {
        Section { props }
    }

    /// The first value of `key`, double quotes stripped at both ends as Kazoo's
    /// `strip_quotes` does; `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.props.get(key).map(|v| v.trim_matches('"')).filter(|v| !v.is_empty())
    }
}

/// Where a node runs, as kz_config sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Here {
    /// This machine's hostname, compared with `host` keys (ignoring ASCII case, as DNS does).
    pub hostname: String,
    /// The node's zone, compared with `zone` keys and with `name` in `[zone]` sections.
    pub zone: String,
}

enum Tag<'a> {
    Host(&'a str),
    Zone(&'a str),
    Generic,
}

/// `[zone]` sections say which zone they describe with `name`, the others with `zone`.
fn zone_key(section_name: &str) -> &'static str {
    if section_name == "zone" {
        "name"
    } else {
        "zone"
    }
}

fn tag<'a>(section: &Section<'a>, zone_key: &str) -> Tag<'a> {
    match (section.get("host"), section.get(zone_key)) {
        (Some(host), _) => Tag::Host(host),
        (None, Some(zone)) => Tag::Zone(zone),
        (None, None) => Tag::Generic,
    }
}

/// The sections named `name` that apply `here`, in file order (so the first one's value
/// is the one used, as with kz_config's value lists).
pub fn applicable<'a>(name: &str, sections: impl IntoIterator<Item = Section<'a>>, here: &Here) -> Vec<Section<'a>> {
    let zone_key = zone_key(name);
    let mut zones = Vec::new();
    let mut generics = Vec::new();
    for section in sections {
        match tag(&section, zone_key) {
            Tag::Host(host) if host.eq_ignore_ascii_case(&here.hostname) => return vec![section],
            Tag::Host(_) => {}
            Tag::Zone(zone) if zone == here.zone => zones.push(section),
            Tag::Zone(_) => {}
            Tag::Generic => generics.push(section),
        }
    }
    if zones.is_empty() {
        generics
    } else {
        zones
    }
}

/// Why none of `sections` applies `here`, for an error message.
pub fn why_none_applies<'a>(name: &str, sections: impl IntoIterator<Item = Section<'a>>, here: &Here) -> String {
    let zone_key = zone_key(name);
    let tags: Vec<String> = sections
        .into_iter()
        .map(|s| match tag(&s, zone_key) {
            Tag::Host(host) => format!("host `{host}`"),
            Tag::Zone(zone) => format!("zone `{zone}`"),
            Tag::Generic => "generic".to_owned(),
        })
        .collect();
    if tags.is_empty() {
        return format!("there is no [{name}] section");
    }
    format!(
        "the [{name}] sections are for {}, but this machine's hostname is `{}` and the node's zone is `{}`",
        tags.join(", "),
        here.hostname,
        here.zone
    )
}
