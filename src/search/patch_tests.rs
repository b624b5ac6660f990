//! [`patched`] against a full [`index`] of the changed agenda, on the bundled example changed
//! in the ways a save changes records: titles, dates and bodies of meetings (which renumber
//! other meetings' references and move their items' dates), labels taken twice, records
//! added and removed.

use proptest::prelude::*;

use super::record::Records as _;
use super::{Entry, Flat, index, patched};
use crate::model::agenda::LoadedFile;
use crate::model::records::Record;
use crate::model::{Agenda, Date, Kind};

/// The records of an agenda, to change and build again.
#[derive(Clone)]
struct Records(Vec<Record>);

impl Records {
    fn of(a: &Agenda) -> Records {
        let mut v: Vec<Record> = Vec::new();
        v.extend(
            a.meetings
                .iter()
                .map(|r| (**r).clone())
                .map(Record::Meeting),
        );
        v.extend(a.items.iter().map(|r| (**r).clone()).map(Record::Item));
        v.extend(a.notes.iter().map(|r| (**r).clone()).map(Record::Notes));
        v.extend(a.actions.iter().map(|r| (**r).clone()).map(Record::Action));
        v.extend(a.bodies.iter().map(|r| (**r).clone()).map(Record::Body));
        v.extend(
            a.organisations
                .iter()
                .map(|r| (**r).clone())
                .map(Record::Organisation),
        );
        v.extend(a.people.iter().map(|r| (**r).clone()).map(Record::Person));
        Records(v)
    }

    fn agenda(&self) -> Agenda {
        let mut files: Vec<LoadedFile> = self
            .0
            .iter()
            .map(|r| LoadedFile {
                path: format!("{}/{}.toml", r.kind().folder(), r.id()),
                text: String::new(),
                record: r.clone(),
            })
            .collect();
        let rank = |k: Kind| Kind::ALL.iter().position(|x| *x == k);
        files.sort_by(|x, y| {
            (rank(x.record.kind()), &x.path).cmp(&(rank(y.record.kind()), &y.path))
        });
        Agenda::build(files, Vec::new())
    }
}

/// One change a save can make, applied to the record at `at` (modulo the count).
#[derive(Clone, Debug)]
enum Change {
    Title(usize),
    MeetingDate(usize, u8),
    MeetingBody(usize),
    Label(usize),
    ActionMeeting(usize, usize),
    Remove(usize),
    CopyMeeting(usize),
    Person(usize),
    /// A follow-up's status note of this many words (none: no prose entry) and this many
    /// contributing departments.
    ActionProse(usize, usize, usize),
}

fn change() -> impl Strategy<Value = Change> {
    let at = 0usize..10_000;
    prop_oneof![
        at.clone().prop_map(Change::Title),
        (at.clone(), 1u8..5).prop_map(|(a, d)| Change::MeetingDate(a, d)),
        at.clone().prop_map(Change::MeetingBody),
        at.clone().prop_map(Change::Label),
        (at.clone(), at.clone()).prop_map(|(a, b)| Change::ActionMeeting(a, b)),
        at.clone().prop_map(Change::Remove),
        at.clone().prop_map(Change::CopyMeeting),
        at.clone().prop_map(Change::Person),
        (at, 0usize..4, 0usize..4).prop_map(|(a, w, d)| Change::ActionProse(a, w, d)),
    ]
}

/// Apply `c`; the ids of the records it created, edited or removed.
fn apply(r: &mut Records, c: &Change, n: usize) -> Vec<String> {
    let len = r.0.len();
    let meetings: Vec<usize> = (0..len)
        .filter(|i| matches!(r.0[*i], Record::Meeting(_)))
        .collect();
    let pick = |v: &[usize], at: usize| v.get(at % v.len().max(1)).copied();
    let of = |k: Kind| -> Vec<usize> { (0..len).filter(|i| r.0[*i].kind() == k).collect() };
    let mut touched = Vec::new();
    match c {
        Change::Title(at) => {
            let i = at % len.max(1);
            match &mut r.0[i] {
                Record::Meeting(m) => m.title = format!("Titel {n}"),
                Record::Item(x) => x.title = format!("Punt {n}"),
                Record::Action(x) => x.title = format!("Actie {n}"),
                Record::Body(b) => b.name = format!("Gremium {n}"),
                _ => {}
            }
            touched.push(r.0[i].id().to_string());
        }
        Change::MeetingDate(at, d) => {
            if let Some(i) = pick(&meetings, *at)
                && let Record::Meeting(m) = &mut r.0[i]
            {
                // few dates, so that meetings of one body share a day and are numbered
                m.date = Date::new(2021, 3, *d);
                touched.push(m.id.clone());
            }
        }
        Change::MeetingBody(at) => {
            let bodies: Vec<String> = of(Kind::Body).iter().map(|i| r.0[*i].id().into()).collect();
            if let Some(i) = pick(&meetings, *at)
                && let Record::Meeting(m) = &mut r.0[i]
                && let Some(b) = bodies.get(at % bodies.len().max(1))
            {
                m.body = b.clone();
                touched.push(m.id.clone());
            }
        }
        Change::Label(at) => {
            if let Some(i) = pick(&of(Kind::Item), *at)
                && let Record::Item(x) = &mut r.0[i]
            {
                x.label = format!("{}", at % 3);
                touched.push(x.id.clone());
            }
        }
        Change::ActionMeeting(at, m) => {
            let target = pick(&meetings, *m).map(|i| r.0[i].id().to_string());
            if let Some(i) = pick(&of(Kind::Action), *at)
                && let Record::Action(x) = &mut r.0[i]
            {
                x.meeting = target.unwrap_or_default();
                touched.push(x.id.clone());
            }
        }
        Change::Remove(at) => {
            if len > 0 {
                touched.push(r.0.remove(at % len).id().to_string());
            }
        }
        Change::CopyMeeting(at) => {
            if let Some(i) = pick(&meetings, *at)
                && let Record::Meeting(m) = &r.0[i]
            {
                let mut copy = m.clone();
                copy.id = format!("m-copy-{n}");
                touched.push(copy.id.clone());
                r.0.insert(i + 1, Record::Meeting(copy));
            }
        }
        Change::ActionProse(at, words, depts) => {
            if let Some(i) = pick(&of(Kind::Action), *at)
                && let Record::Action(x) = &mut r.0[i]
            {
                x.status_note = vec!["vertraagd ë"; *words].join(" ");
                x.contributors = (0..*depts).map(|d| format!("BZK/DGDOO-{d}")).collect();
                touched.push(x.id.clone());
            }
        }
        Change::Person(at) => {
            if let Some(i) = pick(&of(Kind::Person), *at)
                && let Record::Person(p) = &mut r.0[i]
            {
                p.name = format!("Persoon {n}");
                touched.push(p.id.clone());
            }
        }
    }
    touched
}

/// What a search reads of every row of a flat index (filter values by their text, not their
/// position in the value table, which a patched index may order otherwise).
fn rows(f: &Flat) -> Vec<String> {
    (0..f.len())
        .map(|i| {
            let more: Vec<_> = (0..).map_while(|k| f.more(i, k)).collect();
            let depts: Vec<_> = (0..).map_while(|k| f.dept(i, k)).collect();
            format!(
                "{:?} {:?} {:?} {:?} {more:?} {:?} {:?} {depts:?} {:?} {:?}",
                f.get(i),
                f.folded(i),
                f.masks(i),
                f.kind(i),
                f.status(i),
                f.body(i),
                f.due(i),
                f.date(i)
            )
        })
        .collect()
}

fn same_flat(got: &Flat, want: &Flat) -> Result<(), TestCaseError> {
    prop_assert!(got.valid());
    prop_assert_eq!(rows(got), rows(want));
    Ok(())
}

fn same(got: &[Entry], want: &[Entry]) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        prop_assert_eq!(format!("{g:?}"), format!("{w:?}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// After any few changes, the patched index is the full index of the new agenda.
    #[test]
    fn patched_equals_a_full_index(changes in proptest::collection::vec(change(), 1..6)) {
        let mut records = Records::of(&crate::store::bundled::agenda());
        let before = records.agenda();
        let old = index(&before);
        let mut touched = Vec::new();
        for (n, c) in changes.iter().enumerate() {
            touched.extend(apply(&mut records, c, n));
        }
        let after = records.agenda();
        let ids: Vec<&str> = touched.iter().map(String::as_str).collect();
        same_flat(&Flat::patched(&Flat::of(&before), &after, &ids), &Flat::of(&after))?;
        same(&patched(old, &after, &ids), &index(&after))?;
        in_place_or_untouched(&before, &after, &ids, false)?;
        // saves of records no reference derives from: no other line is compared
        let kinds = |a: &Agenda| ids.iter().filter_map(|id| a.resolve(id)).map(|(k, _)| k).collect::<Vec<_>>();
        let lines_as_before = ids.iter().all(|id| before.resolve(id).is_some() && after.resolve(id).is_some())
            && kinds(&before).into_iter().chain(kinds(&after)).all(|k| {
                matches!(k, Kind::Action | Kind::Body | Kind::Organisation | Kind::Person)
            });
        if lines_as_before {
            in_place_or_untouched(&before, &after, &ids, true)?;
        }
    }
}

/// [`Flat::patch_in_place`] of the index of `before`: the full index of `after` when done,
/// else the index as it was; done whenever every record kept its row.
fn in_place_or_untouched(
    before: &Agenda,
    after: &Agenda,
    ids: &[&str],
    lines_as_before: bool,
) -> Result<(), TestCaseError> {
    let mut flat = Flat::of(before);
    let want = Flat::of(after);
    let rows_of = |f: &Flat| -> Vec<(Kind, String)> {
        (0..f.len())
            .filter_map(|n| f.get(n).map(|r| (r.kind, r.id.to_string())))
            .collect()
    };
    let lined_up = rows_of(&flat) == rows_of(&want);
    // the rows a patch must write: of the changed records, of records in changed meetings,
    // and whose line another record's change changed
    let dirty = |id: &str| ids.contains(&id);
    let rows = super::patch::records(after)
        .enumerate()
        .filter(|(n, (_, id, meeting, _))| {
            dirty(id)
                || dirty(meeting)
                || flat.get(*n).map(|r| r.line) != want.get(*n).map(|r| r.line)
        })
        .count();
    if flat.patch_in_place(after, ids, lines_as_before) {
        same_flat(&flat, &want)?;
    } else {
        prop_assert!(
            !lined_up || rows > super::flat::MAX_ROWS_IN_PLACE,
            "every record kept its row and {} rows change, yet not patched in place",
            rows
        );
        prop_assert!(flat == Flat::of(before), "left as it was");
    }
    Ok(())
}

#[test]
fn edits_of_follow_ups_are_patched_in_place() {
    let mut r = Records::of(&crate::store::bundled::agenda());
    let before = r.agenda();
    let mut touched = apply(&mut r, &Change::ActionProse(0, 3, 2), 0);
    touched.extend(apply(&mut r, &Change::ActionProse(5, 0, 0), 1));
    touched.extend(apply(&mut r, &Change::ActionMeeting(2, 1), 2));
    let after = r.agenda();
    let ids: Vec<&str> = touched.iter().map(String::as_str).collect();
    for lines_as_before in [false, true] {
        let mut flat = Flat::of(&before);
        assert!(flat.patch_in_place(&after, &ids, lines_as_before));
        same_flat(&flat, &Flat::of(&after)).expect("same");
        assert!(flat.valid());
    }
    // a record added: not in place, and untouched
    let touched = apply(&mut r, &Change::CopyMeeting(0), 3);
    let added = r.agenda();
    let ids: Vec<&str> = touched.iter().map(String::as_str).collect();
    let mut flat = Flat::of(&after);
    assert!(!flat.patch_in_place(&added, &ids, false));
    assert!(flat == Flat::of(&after));
}

#[test]
fn nothing_changed_keeps_every_entry() {
    let a = Records::of(&crate::store::bundled::agenda()).agenda();
    let want = index(&a);
    same(&patched(index(&a), &a, &[]), &want).expect("same");
    same_flat(&Flat::patched(&Flat::of(&a), &a, &[]), &Flat::of(&a)).expect("same");
}

#[test]
fn an_unlisted_change_of_a_reference_is_still_seen() {
    // a meeting moved onto another's day renumbers that one's reference, and its items'
    let mut r = Records::of(&crate::store::bundled::agenda());
    let before = r.agenda();
    let old = index(&before);
    let touched = apply(&mut r, &Change::CopyMeeting(0), 0);
    let after = r.agenda();
    let ids: Vec<&str> = touched.iter().map(String::as_str).collect();
    same(&patched(old, &after, &ids), &index(&after)).expect("same");
    same_flat(
        &Flat::patched(&Flat::of(&before), &after, &ids),
        &Flat::of(&after),
    )
    .expect("same");
}

#[test]
fn in_place_a_meeting_moved_onto_anothers_day_renumbers_that_ones_lines_too() {
    let mut r = Records::of(&crate::store::bundled::agenda());
    let before = r.agenda();
    let (first, second) = (before.meetings[0].clone(), before.meetings[1].clone());
    let mut touched = Vec::new();
    for rec in &mut r.0 {
        if let Record::Meeting(m) = rec
            && m.id == first.id
        {
            // the first by file name takes the day's reference; the other is numbered
            m.body = second.body.clone();
            m.date = second.date;
            m.planned = second.planned.clone();
            touched.push(m.id.clone());
        }
    }
    let after = r.agenda();
    assert_ne!(
        before.reference(&second.id),
        after.reference(&second.id),
        "a record not saved whose reference changed"
    );
    let ids: Vec<&str> = touched.iter().map(String::as_str).collect();
    let mut flat = Flat::of(&before);
    assert!(flat.patch_in_place(&after, &ids, false));
    same_flat(&flat, &Flat::of(&after)).expect("same");
}
