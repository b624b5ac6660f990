//! The flat layout against the index it was made from: the same results for every query, and
//! damaged bytes refused or at least never a panic.

use proptest::prelude::*;

use super::compact::{Compact, encode};
use super::tests::entries;
use super::*;

/// `flat` answers `query` exactly as the index does, down to the rows shown.
fn same(entries: &[Entry], flat: &Compact<'_>, query: &str) {
    let want = search(entries, query);
    let got = flat.search(query);
    assert!(!flat.damaged());
    assert_eq!(got, want, "{query:?}");
    for h in &got.hits {
        let e = &entries[h.entry];
        assert_eq!(flat.kind_of(h.entry), e.kind);
        assert_eq!(flat.id(h.entry), e.id);
        assert_eq!(flat.line(h.entry), e.line);
    }
}

const QUERIES: &[&str] = &[
    "",
    "f",
    "fin",
    "financien",
    "financiën",
    "status:open fi",
    "status:o",
    "dept:ezk inzet",
    "dept:EZK/DE",
    "org:bzk",
    "body:ber",
    "body:do-ezk zee",
    "zee a",
    "type:item da",
    "type:action due<2021-06",
    "due>2021-03 fin",
    "date<2020-09 coordinatie",
    "date>2020-03",
    "due<garbage",
    "digitale kamerbrief",
    "2021",
    "é",
];

#[test]
fn the_bundled_example_searches_the_same_flat() {
    let entries = index(&crate::store::bundled::agenda());
    let bytes = encode(&entries).expect("fits");
    let flat = Compact::new(&bytes).expect("valid layout");
    assert_eq!(flat.len(), entries.len());
    for q in QUERIES
        .iter()
        .copied()
        .chain(["overleg", "besluit", "status:gereed", "type:person"])
    {
        same(&entries, &flat, q);
    }
}

#[test]
fn many_entries_search_the_same_flat_also_on_every_core() {
    // Large enough for the threaded scan.
    let entries = entries(20_000, 5);
    let bytes = encode(&entries).expect("fits");
    let flat = Compact::new(&bytes).expect("valid layout");
    for q in QUERIES {
        same(&entries, &flat, q);
    }
}

#[test]
fn an_empty_index_is_a_valid_layout() {
    let bytes = encode(&[]).expect("fits");
    let flat = Compact::new(&bytes).expect("valid layout");
    assert!(flat.is_empty());
    assert_eq!(flat.search("fin"), search(&[], "fin"));
}

#[test]
fn cut_or_lengthened_bytes_are_refused() {
    let entries = entries(40, 9);
    let bytes = encode(&entries).expect("fits");
    for len in 0..bytes.len() {
        assert!(Compact::new(&bytes[..len]).is_none(), "cut at {len}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Compact::new(&longer).is_none());
}

/// Whatever `new` accepts can be searched and read without a panic.
fn use_all(bytes: &[u8]) {
    if let Some(flat) = Compact::new(bytes) {
        for q in ["fin", "status:open a", "dept:ezk", "due<2021-06 z", ""] {
            let r = flat.search(q);
            for h in r.hits {
                let _ = (flat.kind_of(h.entry), flat.id(h.entry), flat.line(h.entry));
            }
        }
    }
}

#[test]
fn every_changed_byte_is_refused_or_harmless() {
    let entries = entries(12, 4);
    let bytes = encode(&entries).expect("fits");
    for at in 0..bytes.len() {
        for v in [0u8, 1, 0x7f, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[at] = v;
            use_all(&b);
        }
    }
}

#[test]
fn text_that_is_not_utf8_marks_the_view_damaged() {
    let entries = vec![Entry::new(crate::model::Kind::Item, "x", "abc def").finish()];
    let mut bytes = encode(&entries).expect("fits");
    // the folded line is the last string: its last byte is the last byte of the layout
    let last = bytes.len() - 1;
    bytes[last] = 0xff;
    let flat = Compact::new(&bytes).expect("offsets still consistent");
    flat.search("de");
    assert!(flat.damaged());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// On random entries and queries from the same small alphabet, flat and index agree.
    #[test]
    fn flat_equals_the_index(
        seed in 0u64..1000,
        n in 0usize..300,
        queries in proptest::collection::vec("[finaczkdtuo ràë:<>]{0,12}", 1..8),
    ) {
        let entries = entries(n, seed);
        let bytes = encode(&entries).expect("fits");
        let flat = Compact::new(&bytes).expect("valid layout");
        for q in &queries {
            prop_assert_eq!(flat.search(q), search(&entries, q));
        }
        prop_assert!(!flat.damaged());
    }

    /// Random bytes after a valid header: refused or harmless.
    #[test]
    fn random_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = b"OVLSRCH1".to_vec();
        bytes.extend(tail);
        use_all(&bytes);
    }
}
