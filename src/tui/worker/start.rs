//! The worker's first job: the agenda and search index for the first screen, from the
//! snapshots when they are fresh or can be brought up to date.

use super::Indexed;
use super::Runner;

impl Runner {
    /// The agenda and its search index for the first screen, decoded side by side; whether
    /// they came from snapshots.
    pub(super) fn start(&mut self) -> (crate::tui::state::Loaded, bool) {
        // the check behind the first screen compares every file (`Store::unchanged_besides`)
        let catalog = crate::catalog::Catalog::open(&self.store).names_checked_behind();
        let t0 = std::time::Instant::now();
        let (agenda, index) = std::thread::scope(|scope| {
            let index = scope.spawn(|| {
                // a damaged snapshot is rebuilt like a stale one
                let i = catalog
                    .derived_fresh_or_behind::<crate::search::Flat>(crate::catalog::SEARCH_INDEX)
                    .filter(|(i, _)| i.valid());
                if std::env::var_os("OVERLEG_TIMING").is_some() {
                    eprintln!("start: index {:?}", t0.elapsed());
                }
                i
            });
            let a = catalog.agenda();
            if std::env::var_os("OVERLEG_TIMING").is_some() {
                eprintln!("start: agenda {:?}", t0.elapsed());
            }
            (a, index.join().ok().flatten())
        });
        let from_snapshot = catalog.from_snapshot();
        let index = match index {
            Some((fresh, None)) => Some(fresh),
            // after saves since the snapshots: their index, patched for the saved records (at
            // 1,000,000 records a full build takes seconds of every core)
            Some((mut old, Some(base))) if catalog.replayed_from() == Some(&base) => {
                catalog.behind_by().map(|ids| {
                    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                    use crate::model::Kind;
                    let lines_as_before = catalog.behind_only_in(&[
                        Kind::Action,
                        Kind::Body,
                        Kind::Organisation,
                        Kind::Person,
                    ]);
                    let in_place = old.patch_in_place(&agenda, &ids, lines_as_before);
                    if std::env::var_os("OVERLEG_TIMING").is_some() {
                        eprintln!(
                            "start: index patched {} for {} records",
                            if in_place { "in place" } else { "as a copy" },
                            ids.len()
                        );
                    }
                    if in_place {
                        old
                    } else {
                        crate::search::Flat::patched(&old, &agenda, &ids)
                    }
                })
            }
            _ => None,
        };
        let index = std::sync::Arc::new(match index {
            Some(i) => i,
            None => {
                if std::env::var_os("OVERLEG_TIMING").is_some() {
                    eprintln!("start: index built");
                }
                catalog.derived(crate::catalog::SEARCH_INDEX, crate::search::Flat::of)
            }
        });
        self.replayed = match (catalog.saved_since(), catalog.besides_cache()) {
            (Some(saved), _) => Some((saved.clone(), Some(catalog.key().clone()))),
            (None, Some(besides)) => Some((besides.clone(), None)),
            (None, None) => None,
        };
        self.agenda = agenda;
        self.index = index.clone();
        self.indexed = Indexed::Current;
        (
            crate::tui::state::Loaded {
                agenda: self.agenda.clone(),
                index,
                // the first screen needs only a few of the lists: computing all of them
                // here would hold it back (the next agenda comes with them)
                lists: None,
            },
            from_snapshot,
        )
    }
}
