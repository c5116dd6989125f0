//! Which list or advisory source a message came from, and what it names.
//!
//! The source is the list that carried the message: List-Id first, then the
//! list addresses, then the hint of the folder the message was found in,
//! and only then the subject shapes each source uses (a forward keeps the
//! subject of what it forwards). Extracts CVE ids (every spelling
//! [`super::cve`] reads), which of them the message is about and its
//! advisory ids ([`super::about`]), the advisory id for the timeline,
//! package names where the source states them, a severity hint where the
//! source states one, and whether it is a reply.
//! Pure: takes a [`Parsed`], returns a [`Classified`], never fails.

use super::about::{DEBIAN, GLSA, RHSA, SUSE};
use super::parse::Parsed;
use crate::triage::Severity;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// Where a disclosure was published. The words are part of the `--json`
/// contract and of the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// oss-security@lists.openwall.com.
    OssSecurity,
    /// Full Disclosure (seclists.org).
    FullDisclosure,
    /// Debian security announcements (DSA, DLA).
    Debian,
    /// Red Hat security advisories (RHSA).
    Redhat,
    /// SUSE and openSUSE security updates.
    Suse,
    /// Gentoo Linux security advisories (GLSA).
    Gentoo,
    /// Anything else.
    Other,
}

impl Source {
    /// Every source, in display order.
    pub const ALL: [Source; 7] = [
        Source::OssSecurity,
        Source::FullDisclosure,
        Source::Debian,
        Source::Redhat,
        Source::Suse,
        Source::Gentoo,
        Source::Other,
    ];

    /// The stable word for this source.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::OssSecurity => "oss-security",
            Source::FullDisclosure => "full-disclosure",
            Source::Debian => "debian",
            Source::Redhat => "redhat",
            Source::Suse => "suse",
            Source::Gentoo => "gentoo",
            Source::Other => "other",
        }
    }

    /// Reads the stable word back.
    pub fn parse(word: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == word)
    }

    /// The source a folder name stands for, when the folder is named after
    /// one (`full-disclosure`, `.debian`, `Lists/oss-security`): archive
    /// copies of list mail often lost their list headers, and the folder is
    /// then the only witness.
    pub fn from_folder_name(name: &str) -> Option<Source> {
        let last = name
            .rsplit(['/', '.'])
            .next()
            .unwrap_or(name)
            .to_lowercase();
        match last.as_str() {
            "oss-security" => Some(Source::OssSecurity),
            "full-disclosure" | "fulldisclosure" => Some(Source::FullDisclosure),
            "debian" | "debian-security-announce" | "debian-lts-announce" => Some(Source::Debian),
            "redhat" | "rhsa-announce" => Some(Source::Redhat),
            "suse" | "sle-security-updates" | "opensuse-security-announce" => Some(Source::Suse),
            "gentoo" | "gentoo-announce" => Some(Source::Gentoo),
            _ => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What classification found in one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// Where it was published.
    pub source: Source,
    /// The advisory id (`DSA-5678-1`, `RHSA-2024:1234-01`, `SUSE-SU-…`,
    /// `GLSA 202405-01`), when it carries one.
    pub advisory_id: Option<String>,
    /// Every CVE id in subject, body, readable attachments and their file
    /// names, and nested messages, normalised to `CVE-YYYY-NNNN`, sorted,
    /// once each.
    pub cves: Vec<String>,
    /// The subset of `cves` the message is *about* (its subject, an
    /// advisory's own list, assigned or requested in it, a forwarded
    /// disclosure's, or its lead when nothing else says), sorted, once each.
    /// The rest it only cites. See [`super::about`].
    pub about: Vec<String>,
    /// The CVE ids its subject names, sorted, once each: the strongest
    /// reason a message joins an issue.
    pub subject_cves: Vec<String>,
    /// Every advisory id the message is about, normalised (`DSA-5678-1`,
    /// `RHSA-2024:1234` without revision, `XSA-215`, `GHSA-…` lower-case;
    /// see [`super::about::advisory_ids`]), sorted, once each.
    pub advisory_ids: Vec<String>,
    /// Package names the source states, lower-cased, sorted, once each.
    pub packages: Vec<String>,
    /// The severity the source states, mapped onto secdesk's scale.
    pub severity: Option<Severity>,
    /// Whether it answers another message.
    pub is_reply: bool,
    /// The subject without list tags and reply prefixes, for issue titles.
    pub title: String,
}

re!(DEBIAN_PACKAGE, r"(?m)^Package\s*:\s*(\S+)");
re!(
    DEBIAN_SUBJECT_PACKAGE,
    r"\[D[SL]A[- ][0-9-]+\]\s+(?:New\s+)?(\S+)\s+(?:security\s+update|packages?\s+fix)"
);
re!(
    RH_SEVERITY,
    r"(?i)\b(Critical|Important|Moderate|Low):\s+(.+?)\s+(?:security|bug\s+fix|enhancement)\b"
);
re!(
    RH_SYNOPSIS,
    r"(?mi)^Synopsis:\s+(Critical|Important|Moderate|Low):\s+(.+?)\s+(?:security|bug\s+fix|enhancement)\b"
);
re!(
    SUSE_SEVERITY,
    r"(?i)SUSE-SU-\d{4}:\d+-\d+:\s*(critical|important|moderate|low)\b"
);
re!(
    SUSE_RATING,
    r"(?mi)^Rating:\s*(critical|important|moderate|low)\b"
);
re!(
    SUSE_PACKAGE,
    r"(?i)Security update for\s+(?:the\s+)?(.+?)\s*$"
);
re!(GLSA_PACKAGE, r"\[\s*GLSA\s+\d{6}-\d+\s*\]\s*([^:]+):");
re!(LIST_TAG, r"^\s*\[[^\]]*\]\s*");
re!(REPLY_PREFIX, r"(?i)^\s*(re|fwd?|aw|sv)\s*:\s*");
re!(
    LEADING_CVES,
    r"(?i)^(?:CVE[- ]\d{4}-\d+[\s,/&]*(?:and\s+)?)+:?\s*"
);
re!(
    CVE_REQUEST,
    r"(?i)^(?:CVE\s+(?:request|assignment|id\s+request)s?\s*(?:for)?\s*:?)\s*"
);
re!(
    IN_PACKAGE,
    r"(?i)\b(?:vulnerabilit(?:y|ies)|escalations?|overflows?|injections?|flaws?|issues?|bugs?|xss|rce|bypass|dos)\s+in\s+([A-Za-z0-9][\w.+-]*)\s*$"
);

/// Classifies one parsed message. `hint` is the source the folder it was
/// found in stands for; it decides only when nothing in the message does.
pub fn classify(parsed: &Parsed, hint: Option<Source>) -> Classified {
    let subject = parsed.subject.as_str();
    let source = source_of(parsed, hint);
    let advisory_id = advisory_id_in(subject);
    let severity = severity_hint(source, subject, &parsed.text);
    let packages = packages_in(source, subject, &parsed.text);
    let title = super::parse::shorten(&clean_title(subject));
    let is_reply = !parsed.in_reply_to.is_empty()
        || !parsed.references.is_empty()
        || is_reply_subject(subject);
    let advisory_source = matches!(
        source,
        Source::Debian | Source::Redhat | Source::Suse | Source::Gentoo
    );
    let reading = super::about::read(subject, &parsed.text, advisory_source, is_reply);
    Classified {
        source,
        advisory_id,
        cves: reading.cves,
        about: reading.about,
        subject_cves: reading.in_subject,
        advisory_ids: reading.advisory_ids,
        packages,
        severity,
        is_reply,
        title,
    }
}

/// The list that carried the message: its List-Id (an unknown List-Id is
/// some other list, whatever the subject forwards), then the list
/// addresses among its senders and recipients, then the folder it was
/// found in, and only then the shape of its subject.
fn source_of(parsed: &Parsed, hint: Option<Source>) -> Source {
    let list = parsed.list_id.as_str();
    let by_list = [
        ("oss-security.lists.openwall.com", Source::OssSecurity),
        ("fulldisclosure", Source::FullDisclosure),
        ("full-disclosure", Source::FullDisclosure),
        ("debian-security-announce", Source::Debian),
        ("debian-lts-announce", Source::Debian),
        ("rhsa-announce", Source::Redhat),
        ("enterprise-watch-list", Source::Redhat),
        ("sle-security-updates", Source::Suse),
        ("security-announce.lists.opensuse.org", Source::Suse),
        ("security-announce.opensuse.org", Source::Suse),
        ("gentoo-announce", Source::Gentoo),
    ];
    if let Some((_, s)) = by_list.iter().find(|(needle, _)| list.contains(needle)) {
        return *s;
    }
    if !list.trim().is_empty() {
        return Source::Other;
    }
    let by_address = [
        ("oss-security@lists.openwall.com", Source::OssSecurity),
        ("fulldisclosure@seclists.org", Source::FullDisclosure),
        ("full-disclosure@lists.grok.org.uk", Source::FullDisclosure),
        ("debian-security-announce@lists.debian.org", Source::Debian),
        ("debian-lts-announce@lists.debian.org", Source::Debian),
        ("rhsa-announce@redhat.com", Source::Redhat),
        ("sle-security-updates@lists.suse.com", Source::Suse),
        ("security-announce@lists.opensuse.org", Source::Suse),
        ("gentoo-announce@lists.gentoo.org", Source::Gentoo),
    ];
    for (addr, s) in by_address {
        if parsed.addresses.iter().any(|a| a == addr) {
            return s;
        }
    }
    if let Some(hint) = hint {
        return hint;
    }
    let subject = parsed.subject.as_str();
    let lower = subject.to_lowercase();
    if lower.contains("[oss-security]") {
        return Source::OssSecurity;
    }
    if lower.contains("[fd]") || lower.contains("[full-disclosure]") {
        return Source::FullDisclosure;
    }
    if RHSA.is_match(subject) {
        return Source::Redhat;
    }
    if SUSE.is_match(subject) {
        return Source::Suse;
    }
    if GLSA.is_match(subject) && subject.contains('[') {
        return Source::Gentoo;
    }
    if lower.contains("[security]") && DEBIAN.is_match(subject) {
        return Source::Debian;
    }
    Source::Other
}

/// Every CVE id in the subject and text, normalised, sorted, once each
/// (every spelling [`super::cve`] reads).
pub fn cves_in(subject: &str, text: &str) -> Vec<String> {
    let mut found = super::cve::ids(subject);
    found.extend(super::cve::ids(text));
    found.into_iter().collect()
}

fn advisory_id_in(subject: &str) -> Option<String> {
    if let Some(c) = DEBIAN.captures(subject) {
        return Some(format!("{}-{}-{}", &c[1], &c[2], &c[3]));
    }
    if let Some(c) = RHSA.captures(subject) {
        return Some(c[0].to_string());
    }
    if let Some(c) = SUSE.captures(subject) {
        let prefix = if c.get(1).is_some() {
            "openSUSE"
        } else {
            "SUSE"
        };
        return Some(format!("{prefix}-SU-{}:{}-{}", &c[2], &c[3], &c[4]));
    }
    if let Some(c) = GLSA.captures(subject) {
        return Some(format!("GLSA {}-{}", &c[1], &c[2]));
    }
    None
}

fn severity_word(word: &str) -> Option<Severity> {
    match word.to_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "important" => Some(Severity::High),
        "moderate" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        _ => None,
    }
}

fn severity_hint(source: Source, subject: &str, text: &str) -> Option<Severity> {
    match source {
        Source::Redhat => RH_SEVERITY
            .captures(subject)
            .or_else(|| RH_SYNOPSIS.captures(text))
            .and_then(|c| severity_word(&c[1])),
        Source::Suse => SUSE_SEVERITY
            .captures(subject)
            .or_else(|| SUSE_RATING.captures(text))
            .and_then(|c| severity_word(&c[1])),
        _ => None,
    }
}

fn packages_in(source: Source, subject: &str, text: &str) -> Vec<String> {
    let mut found = BTreeSet::new();
    let mut add = |name: &str| {
        let name = name.trim().trim_matches(|c: char| c == '"' || c == '\'');
        if !name.is_empty() && name.len() <= 64 {
            found.insert(
                name.to_lowercase()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join("-"),
            );
        }
    };
    match source {
        Source::Debian => {
            if let Some(c) = DEBIAN_PACKAGE.captures(text) {
                add(&c[1]);
            } else if let Some(c) = DEBIAN_SUBJECT_PACKAGE.captures(subject) {
                add(&c[1]);
            }
        }
        Source::Redhat => {
            if let Some(c) = RH_SEVERITY
                .captures(subject)
                .or_else(|| RH_SYNOPSIS.captures(text))
            {
                add(&c[2]);
            }
        }
        Source::Suse => {
            if let Some(c) = SUSE_PACKAGE.captures(subject) {
                add(&c[1]);
            }
        }
        Source::Gentoo => {
            if let Some(c) = GLSA_PACKAGE.captures(subject) {
                add(&c[1]);
            }
        }
        Source::OssSecurity | Source::FullDisclosure | Source::Other => {
            if let Some(c) = DEBIAN_SUBJECT_PACKAGE.captures(subject) {
                add(&c[1]);
            } else if let Some(name) = list_subject_package(subject) {
                add(&name);
            }
        }
    }
    found.into_iter().collect()
}

/// oss-security subjects conventionally read `pkg: what happened`, after
/// optional CVE ids or `CVE request:`; failing that, `… in pkg` at the end.
fn list_subject_package(subject: &str) -> Option<String> {
    let rest = clean_title(subject);
    let rest = CVE_REQUEST.replace(&rest, "");
    let rest = LEADING_CVES.replace(&rest, "");
    let rest = CVE_REQUEST.replace(&rest, "");
    if let Some((head, tail)) = rest.split_once(": ") {
        let words = head.split_whitespace().count();
        if (1..=3).contains(&words) && !tail.trim().is_empty() && !head.contains(['[', '(']) {
            return Some(head.to_string());
        }
    }
    IN_PACKAGE.captures(&rest).map(|c| c[1].to_string())
}

fn is_reply_subject(subject: &str) -> bool {
    let mut s = subject;
    loop {
        if REPLY_PREFIX
            .find(s)
            .is_some_and(|m| m.as_str().trim_start().to_lowercase().starts_with("re"))
        {
            return true;
        }
        match LIST_TAG.find(s) {
            Some(m) => s = &s[m.end()..],
            None => return false,
        }
    }
}

/// The subject without list tags (`[oss-security]`, `[SECURITY]`, `[FD]`)
/// and reply or forward prefixes, for titles. Advisory tags such as
/// `[DSA 1553-1]` stay: they say what the message is.
pub fn clean_title(subject: &str) -> String {
    let mut s = subject.trim().to_string();
    loop {
        let before = s.len();
        if let Some(m) = REPLY_PREFIX.find(&s) {
            s = s[m.end()..].to_string();
        }
        if let Some(m) = LIST_TAG.find(&s) {
            let tag = m.as_str().trim().to_lowercase();
            if ["[oss-security]", "[security]", "[fd]", "[full-disclosure]"].contains(&tag.as_str())
            {
                s = s[m.end()..].to_string();
            }
        }
        if s.len() == before {
            break;
        }
    }
    let s = s.trim();
    if s.is_empty() {
        "(no subject)".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::parse::parse;
    use expect_test::{Expect, expect};

    fn check(raw: &str, expect: Expect) {
        let c = classify(&parse(raw.as_bytes()), None);
        let mut out = format!(
            "source={} advisory={:?} cves={:?} packages={:?} severity={:?} reply={} title={:?}",
            c.source,
            c.advisory_id,
            c.cves,
            c.packages,
            c.severity.map(|s| s.as_str()),
            c.is_reply,
            c.title
        );
        // Shown only where they say more than `cves` and `advisory_id`.
        if c.about != c.cves {
            out.push_str(&format!(" about={:?}", c.about));
        }
        if c.advisory_ids.first() != c.advisory_id.as_ref() || c.advisory_ids.len() > 1 {
            out.push_str(&format!(" advisory_ids={:?}", c.advisory_ids));
        }
        expect.assert_eq(&out);
    }

    fn source(raw: &str, hint: Option<Source>) -> Source {
        classify(&parse(raw.as_bytes()), hint).source
    }

    #[test]
    fn forward_on_oss_security_of_a_full_disclosure_post_is_oss_security() {
        let fwd = "To: oss-security@lists.openwall.com\nFrom: someone@example.org\nSubject: Fwd: [Full-disclosure] gizmo 1.2 remote crash\n\n.\n";
        assert_eq!(source(fwd, None), Source::OssSecurity);
        let bare = "From: someone@example.org\nSubject: Fwd: [Full-disclosure] gizmo 1.2 remote crash\n\n.\n";
        assert_eq!(
            source(bare, Some(Source::OssSecurity)),
            Source::OssSecurity,
            "the folder says where it came from"
        );
        assert_eq!(
            source(bare, None),
            Source::FullDisclosure,
            "only the subject is left"
        );
    }

    #[test]
    fn constructed_lkml_message_forwarding_an_rhsa_is_other_but_about_its_cves() {
        check(
            "List-Id: <linux-kernel.vger.kernel.org>\nTo: linux-kernel@vger.kernel.org\nSubject: Fwd: [RHSA-2031:0042-01] Important: kernel security update\n\nIs this fixed upstream? It lists CVE-2031-42424.\n",
            expect![[
                r#"source=other advisory=Some("RHSA-2031:0042-01") cves=["CVE-2031-42424"] packages=[] severity=None reply=false title="[RHSA-2031:0042-01] Important: kernel security update" advisory_ids=["RHSA-2031:0042"]"#
            ]],
        );
    }

    #[test]
    fn constructed_xsa_revisions_carry_one_advisory_id() {
        check(
            "Subject: Xen Security Advisory 300 v2 - x86: guest escape\n\n.\n",
            expect![[
                r#"source=other advisory=None cves=[] packages=[] severity=None reply=false title="Xen Security Advisory 300 v2 - x86: guest escape" advisory_ids=["XSA-300"]"#
            ]],
        );
        check(
            "Subject: Xen Security Advisory 300 v3 (CVE-2031-3000) - x86: guest escape\n\nXen Security Advisory CVE-2031-3000 / XSA-300\n",
            expect![[
                r#"source=other advisory=None cves=["CVE-2031-3000"] packages=[] severity=None reply=false title="Xen Security Advisory 300 v3 (CVE-2031-3000) - x86: guest escape" advisory_ids=["XSA-300"]"#
            ]],
        );
    }

    #[test]
    fn new_thread_citing_an_older_cve_is_not_about_it() {
        check(
            "To: oss-security@lists.openwall.com\nSubject: [oss-security] CVE request: gizmo-server crash\n\nThe patch for CVE-2019-8092 introduced a NULL dereference in\ngizmo-server. Please assign an id.\n",
            expect![[
                r#"source=oss-security advisory=None cves=["CVE-2019-8092"] packages=[] severity=None reply=false title="CVE request: gizmo-server crash" about=[]"#
            ]],
        );
    }

    #[test]
    fn constructed_rhsa_subject_classifies_as_red_hat() {
        check(
            "Subject: [RHSA-2018:0549-01] Critical: firefox security update\n\nCVE-2018-5146\n",
            expect![[
                r#"source=redhat advisory=Some("RHSA-2018:0549-01") cves=["CVE-2018-5146"] packages=["firefox"] severity=Some("critical") reply=false title="[RHSA-2018:0549-01] Critical: firefox security update" advisory_ids=["RHSA-2018:0549"]"#
            ]],
        );
    }

    #[test]
    fn constructed_suse_subject_classifies_as_suse() {
        check(
            "Subject: SUSE-SU-2024:1234-1: important: Security update for openssl-3\n\ncve-2024-0727\n",
            expect![[
                r#"source=suse advisory=Some("SUSE-SU-2024:1234-1") cves=["CVE-2024-0727"] packages=["openssl-3"] severity=Some("high") reply=false title="SUSE-SU-2024:1234-1: important: Security update for openssl-3""#
            ]],
        );
        check(
            "Subject: openSUSE-SU-2024:0001-1: moderate: Security update for the Linux Kernel\n\n.\n",
            expect![[
                r#"source=suse advisory=Some("openSUSE-SU-2024:0001-1") cves=[] packages=["linux-kernel"] severity=Some("medium") reply=false title="openSUSE-SU-2024:0001-1: moderate: Security update for the Linux Kernel""#
            ]],
        );
    }

    #[test]
    fn constructed_glsa_subject_classifies_as_gentoo() {
        check(
            "Subject: [ GLSA 202405-01 ] Foo: Multiple vulnerabilities\n\nCVE-2024-1 is not an id, CVE-2024-1111 is\n",
            expect![[
                r#"source=gentoo advisory=Some("GLSA 202405-01") cves=["CVE-2024-1111"] packages=["foo"] severity=None reply=false title="[ GLSA 202405-01 ] Foo: Multiple vulnerabilities""#
            ]],
        );
    }

    #[test]
    fn debian_space_separated_cve_is_recognised() {
        check(
            "Subject: [SECURITY] [DSA 1234-1] New foo packages fix bar\n\nPackage        : foo\nCVE Id(s)      : CVE 2008-1234 CVE-2008-1234 cve-2008-99999\n",
            expect![[
                r#"source=debian advisory=Some("DSA-1234-1") cves=["CVE-2008-1234", "CVE-2008-99999"] packages=["foo"] severity=None reply=false title="[DSA 1234-1] New foo packages fix bar""#
            ]],
        );
    }

    #[test]
    fn oss_security_subject_names_the_package() {
        check(
            "List-Id: <oss-security.lists.openwall.com>\nSubject: [oss-security] CVE-2024-31869: Apache Airflow: Sensitive config shown\n\n.\n",
            expect![[
                r#"source=oss-security advisory=None cves=["CVE-2024-31869"] packages=["apache-airflow"] severity=None reply=false title="CVE-2024-31869: Apache Airflow: Sensitive config shown""#
            ]],
        );
        check(
            "Subject: Re: [oss-security] Local Privilege Escalations in needrestart\n\n.\n",
            expect![[
                r#"source=oss-security advisory=None cves=[] packages=["needrestart"] severity=None reply=true title="Local Privilege Escalations in needrestart""#
            ]],
        );
    }

    #[test]
    fn folder_hint_decides_only_when_the_message_does_not() {
        let p = parse(b"Subject: [KIS-2026-02] Blesta\n\n.\n");
        assert_eq!(
            classify(&p, Some(Source::FullDisclosure)).source,
            Source::FullDisclosure
        );
        assert_eq!(classify(&p, None).source, Source::Other);
        let p = parse(b"List-Id: <oss-security.lists.openwall.com>\n\n.\n");
        assert_eq!(
            classify(&p, Some(Source::Debian)).source,
            Source::OssSecurity
        );
        assert_eq!(
            Source::from_folder_name("Lists/.full-disclosure"),
            Some(Source::FullDisclosure)
        );
    }
}
