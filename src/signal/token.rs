//! Reply tokens: `bs3-k7q2m9xwpd`, the signal's number and ten base-32
//! characters of an HMAC-SHA256, under the token secret, of the signal,
//! the role and the member. Short enough for an SMS gateway's subject
//! line, carried twice in each page (plus-addressed on `reply_to`, and in
//! the subject, since gateways drop addresses). The token names no member
//! or role: a reply is matched by computing the token of every pair the
//! signal pages and comparing in constant time. Pure.

use super::SignalId;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

/// The base-32 alphabet: lower case, no 0/1/8/9 to confuse with letters.
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// Characters of MAC in a token: 50 bits.
const MAC_CHARS: usize = 10;

/// The token of one page.
pub fn token(secret: &[u8], signal: SignalId, role: &str, member: &str) -> String {
    format!("bs{signal}-{}", mac(secret, signal, role, member))
}

fn mac(secret: &[u8], signal: SignalId, role: &str, member: &str) -> String {
    let mut m = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .expect("HMAC takes a key of any length");
    // Lengths first, so no two (role, member) pairs give the same input.
    m.update(
        format!(
            "secdesk-signal\0{signal}\0{}\0{role}\0{}\0{member}",
            role.len(),
            member.len()
        )
        .as_bytes(),
    );
    let bytes = m.finalize().into_bytes();
    let mut bits: u64 = 0;
    for b in bytes.iter().take(8) {
        bits = (bits << 8) | u64::from(*b);
    }
    (0..MAC_CHARS)
        .map(|i| ALPHABET[((bits >> (59 - 5 * i)) & 31) as usize] as char)
        .collect()
}

/// The reply address of a page: `local+TOKEN@domain` from `reply_to`.
pub fn reply_address(reply_to: &str, token: &str) -> String {
    match reply_to.rsplit_once('@') {
        Some((local, domain)) => format!("{local}+{token}@{domain}"),
        None => reply_to.to_string(),
    }
}

/// A token as found in a reply: the signal number and the MAC part, not
/// yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The signal it names.
    pub signal: SignalId,
    /// The MAC characters as written.
    pub mac: String,
}

impl Candidate {
    /// The token as written, for logs and history (it is not a secret once
    /// refused, and it names nobody).
    pub fn text(&self) -> String {
        format!("bs{}-{}", self.signal, self.mac)
    }
}

/// Every token-shaped word in `text`, first first, each once: `bs`, digits,
/// `-`, ten letters or digits (case-insensitive; gateways change case).
pub fn find(text: &str) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(pos) = lower[i..].find("bs") {
        let start = i + pos;
        i = start + 2;
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let digits: String = lower[start + 2..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let after = start + 2 + digits.len();
        if digits.is_empty() || bytes.get(after) != Some(&b'-') {
            continue;
        }
        let mac: String = lower[after + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if mac.len() != MAC_CHARS {
            continue;
        }
        let Ok(signal) = digits.parse() else { continue };
        let c = Candidate { signal, mac };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Which of `pairs` (role, member) the candidate is the token of, under
/// `secret`; `None` for a forged or altered token, or one of another
/// signal. Every pair is compared, each in constant time.
pub fn verify<'a>(
    secret: &[u8],
    candidate: &Candidate,
    pairs: &[(&'a str, &'a str)],
) -> Option<(&'a str, &'a str)> {
    let mut found = None;
    for (role, member) in pairs {
        let expected = mac(secret, candidate.signal, role, member);
        let same = expected.len() == candidate.mac.len()
            && expected
                .bytes()
                .zip(candidate.mac.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same && found.is_none() {
            found = Some((*role, *member));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"test key";

    #[test]
    fn token_is_short_and_found_again_in_a_reply_subject() {
        let t = token(KEY, 3, "qa", "carol");
        assert_eq!(t.len(), "bs3-".len() + MAC_CHARS);
        let found = find(&format!("RE: [{}] BAT-SIGNAL qa #12", t.to_uppercase()));
        assert_eq!(found.len(), 1);
        let pairs = [("coordination", "alice"), ("qa", "carol"), ("qa", "alice")];
        assert_eq!(verify(KEY, &found[0], &pairs), Some(("qa", "carol")));
    }

    #[test]
    fn forged_altered_and_other_signal_tokens_do_not_verify() {
        let pairs = [("qa", "carol")];
        let good = token(KEY, 3, "qa", "carol");
        let mut altered = good.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'a' { b'b' } else { b'a' };
        let altered = String::from_utf8(altered).unwrap();
        let other = good.replacen("bs3-", "bs4-", 1);
        let wrong_key = token(b"other key", 3, "qa", "carol");
        for bad in [altered, other, wrong_key, "bs3-aaaaaaaaaa".to_string()] {
            let c = find(&bad);
            assert_eq!(c.len(), 1, "{bad}");
            assert_eq!(verify(KEY, &c[0], &pairs), None, "{bad}");
        }
    }

    #[test]
    fn reply_address_is_plus_addressed() {
        assert_eq!(
            reply_address("security@example.org", "bs3-abcdefghij"),
            "security+bs3-abcdefghij@example.org"
        );
        assert!(find("jobs3-abcdefghij bs3-abc bsx-abcdefghij").is_empty());
    }
}
