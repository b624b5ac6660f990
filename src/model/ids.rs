//! Minting ids that two departments can create at the same moment without colliding, and the
//! next free action number of a month.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use super::records::Kind;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// 50 random bits: with a million records the chance of any collision is below 1 in 2000.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // RandomState is seeded from the OS per process; mixing in time, pid and a counter makes
    // every call differ.
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(nanos);
    h.finish()
}

/// `a-3kq9m2x7fd`: the kind's prefix and ten base-32 characters.
pub fn mint(kind: Kind) -> String {
    let mut n = random_u64();
    let mut s = String::from(kind.prefix().unwrap_or(""));
    for _ in 0..10 {
        s.push(ALPHABET[(n & 31) as usize] as char);
        n >>= 5;
    }
    s
}

/// A short id for a list entry (`d-7k2m9q`), unique within its record.
pub fn mint_entry(prefix: &str) -> String {
    let mut n = random_u64();
    let mut s = format!("{prefix}-");
    for _ in 0..6 {
        s.push(ALPHABET[(n & 31) as usize] as char);
        n >>= 5;
    }
    s
}

/// The next action reference for a month: `2021-02-A4` when A1–A3 exist.
pub fn next_action_ref<'a>(year_month: &str, existing: impl Iterator<Item = &'a str>) -> String {
    let prefix = format!("{year_month}-A");
    let max = existing
        .filter_map(|r| r.strip_prefix(&prefix))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", max + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_differ_and_have_prefix() {
        let a = mint(Kind::Action);
        let b = mint(Kind::Action);
        assert_ne!(a, b);
        assert!(a.starts_with("a-") && a.len() == 12);
        assert!(crate::model::validate::valid_id(&a));
    }

    #[test]
    fn action_refs_count_up() {
        let refs = ["2021-02-A1", "2021-02-A3", "2021-01-A9"];
        assert_eq!(next_action_ref("2021-02", refs.into_iter()), "2021-02-A4");
        assert_eq!(next_action_ref("2021-03", refs.into_iter()), "2021-03-A1");
    }
}
