//! Time the workbench's kept lists over a repository's agenda: computed on the UI thread as a
//! screen asks for them, against prepared on the worker beside the agenda.
//! `cargo run --release --example lists -- DIR [ROUNDS]`.
use std::sync::Arc;
use std::time::Instant;

use overleg::catalog::Catalog;
use overleg::model::Date;
use overleg::store::Store;
use overleg::tui::i18n::Lang;
use overleg::tui::keys::Keymap;
use overleg::tui::lists::Prepared;
use overleg::tui::rows;
use overleg::tui::state::{Loaded, State};
use overleg::tui::theme::Theme;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("DIR");
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let store = Store::open(std::path::Path::new(&dir)).expect("open");
    let agenda = Catalog::open(&store).agenda();
    println!(
        "{} meetings, {} items, {} follow-ups",
        agenda.meetings.len(),
        agenda.items.len(),
        agenda.actions.len()
    );
    let mut s = State::new(
        Lang::Nl,
        Theme::default_dark(),
        Keymap::default(),
        Date::new(2021, 1, 20).expect("date"),
    );
    s.dept = "EZK".into();
    let index = Arc::new(overleg::search::Flat::default());
    // the frame after a save: the agenda replaced by one with a record read again, with its
    // lists, the old agenda let go here
    let path = agenda
        .actions
        .first()
        .and_then(|x| agenda.path_of(&x.id))
        .expect("a follow-up");
    let mut old = agenda.clone();
    for _ in 0..rounds {
        let (next, _) = store.reload_changed(&old, std::slice::from_ref(&path));
        let next = Arc::new(next);
        let p = Arc::new(Prepared::of(&next, s.list_keys()));
        s.set_agenda(Loaded {
            agenda: old.clone(),
            index: index.clone(),
            lists: None,
        });
        drop(old);
        let t = Instant::now();
        s.set_agenda(Loaded {
            agenda: next.clone(),
            index: index.clone(),
            lists: Some(p),
        });
        let n = rows::actions(&s).len();
        println!(
            "after a save, the new agenda with its lists on the UI thread: {:.1?} ({n})",
            t.elapsed()
        );
        old = next;
    }
    for _ in 0..rounds {
        s.set_agenda(Loaded {
            agenda: agenda.clone(),
            index: index.clone(),
            lists: None,
        });
        let t = Instant::now();
        let overview = (rows::upcoming(&s).len(), rows::my_open(&s).len());
        let t_overview = t.elapsed();
        let t = Instant::now();
        let actions = rows::actions(&s).len();
        let t_actions = t.elapsed();
        let t = Instant::now();
        let meetings = rows::meetings(&s).len();
        let t_meetings = t.elapsed();
        let first = agenda
            .meetings
            .first()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        let t = Instant::now();
        let items = rows::items_of(&s, &first).len() + rows::meeting_actions(&s, &first).len();
        let t_groups = t.elapsed();
        let t = Instant::now();
        let p = Prepared::of(&agenda, s.list_keys());
        let t_prepared = t.elapsed();
        let t = Instant::now();
        s.set_agenda(Loaded {
            agenda: agenda.clone(),
            index: index.clone(),
            lists: Some(Arc::new(p)),
        });
        let again = (
            rows::upcoming(&s).len(),
            rows::my_open(&s).len(),
            rows::actions(&s).len(),
        );
        let t_installed = t.elapsed();
        println!(
            "on the UI thread: overview {t_overview:.1?} follow-ups {t_actions:.1?} meetings {t_meetings:.1?} a meeting's items and follow-ups {t_groups:.1?} | prepared on the worker {t_prepared:.1?}, then on the UI thread {t_installed:.1?}  ({overview:?} {actions} {meetings} {items} {again:?})"
        );
    }
}
