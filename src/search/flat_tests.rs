//! The workbench's index ([`Flat`]) against the entries it is laid out from: the same
//! results for every query, the same index however it is built, and a damaged snapshot of it
//! refused or at least never a panic. The incremental searcher over it is checked against
//! the oracle in `tests.rs`.

use std::sync::Arc;

use proptest::prelude::*;

use super::tests::entries;
use super::*;

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

/// `flat` answers `query` exactly as the entries do, down to the rows shown.
fn same(entries: &[Entry], flat: &Flat, query: &str) {
    assert_eq!(flat.search(query), search(entries, query), "{query:?}");
    for (i, e) in entries.iter().enumerate() {
        let row = flat.get(i).expect("in range");
        assert_eq!((row.kind, row.id, row.line), (e.kind, &*e.id, &*e.line));
    }
    assert_eq!(flat.get(entries.len()), None);
}

#[test]
fn the_bundled_example_is_laid_out_alike_either_way() {
    let agenda = crate::store::bundled::agenda();
    let entries = index(&agenda);
    let flat = Flat::of(&agenda);
    assert_eq!(flat, Flat::from_entries(&entries));
    assert!(flat.valid());
    for q in QUERIES
        .iter()
        .copied()
        .chain(["overleg", "besluit", "status:gereed", "type:person"])
    {
        same(&entries, &flat, q);
    }
}

#[test]
fn many_entries_search_the_same_also_on_every_core() {
    let entries = entries(20_000, 5);
    let flat = Flat::from_entries(&entries);
    assert!(flat.valid());
    for q in QUERIES {
        same(&entries, &flat, q);
    }
}

#[test]
fn an_empty_index_is_valid_and_finds_nothing() {
    let flat = Flat::from_entries(&[]);
    assert!(flat.is_empty() && flat.valid());
    assert_eq!(flat, Flat::of(&crate::model::Agenda::default()));
    assert_eq!(flat.search("fin"), search(&[], "fin"));
    let mut s = Searcher::new();
    assert_eq!(
        s.search(&Arc::new(flat), "fin", &|| false),
        Some(search(&[], "fin"))
    );
}

#[test]
fn it_survives_a_snapshot() {
    let flat = Flat::from_entries(&entries(300, 8));
    let bytes = bincode::serialize(&flat).expect("serializes");
    let back: Flat = bincode::deserialize(&bytes).expect("deserializes");
    assert_eq!(back, flat);
}

/// Whatever decodes can be checked, searched and read without a panic.
fn use_all(bytes: &[u8]) {
    if let Ok(flat) = bincode::deserialize::<Flat>(bytes) {
        let _ = flat.valid();
        for q in ["fin", "status:open a", "dept:ezk", "due<2021-06 z", ""] {
            for h in flat.search(q).hits {
                let _ = flat.get(h.entry);
            }
        }
    }
}

#[test]
fn every_changed_byte_is_refused_or_harmless() {
    let flat = Flat::from_entries(&entries(6, 4));
    let bytes = bincode::serialize(&flat).expect("serializes");
    for at in 0..bytes.len() {
        for v in [0u8, 1, 0x7f, 0xff] {
            let mut b = bytes.clone();
            b[at] = v;
            use_all(&b);
        }
    }
    for len in 0..bytes.len() {
        assert!(
            bincode::deserialize::<Flat>(&bytes[..len]).is_err(),
            "cut at {len}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// On random entries and queries the index answers as the entries do.
    #[test]
    fn flat_equals_the_entries(
        seed in 0u64..1000,
        n in 0usize..200,
        queries in proptest::collection::vec("[finaczkdtuo ràë:<>]{0,12}", 1..8),
    ) {
        let entries = entries(n, seed);
        let flat = Flat::from_entries(&entries);
        prop_assert!(flat.valid());
        for q in &queries {
            prop_assert_eq!(flat.search(q), search(&entries, q), "{:?}", q);
        }
    }
}
