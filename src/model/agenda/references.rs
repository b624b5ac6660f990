//! Cross-record rules checked when the agenda is built: every reference points at a record
//! that exists, and human references are not used twice. Problems, never panics.

use rustc_hash::FxHashMap as HashMap;

use super::{Agenda, TextSource};
use crate::model::problem::{Problem, locate_key, locate_key_value};
use crate::model::records::*;

/// Checks one record's references against the rest of the agenda.
struct Checker<'a> {
    agenda: &'a Agenda,
    org_codes: std::collections::HashSet<&'a str>,
    texts: &'a HashMap<String, String>,
    source: TextSource<'a>,
    out: Vec<Problem>,
}

impl<'a> Checker<'a> {
    fn new(
        agenda: &'a Agenda,
        texts: &'a HashMap<String, String>,
        source: TextSource<'a>,
    ) -> Checker<'a> {
        Checker {
            agenda,
            org_codes: agenda
                .organisations
                .iter()
                .map(|o| o.code.as_str())
                .collect(),
            texts,
            source,
            out: Vec::new(),
        }
    }

    fn report(&mut self, id: &str, field: &str, value: &str, msg: String) {
        let path = self.agenda.path_of(id).unwrap_or_default();
        let text = self
            .texts
            .get(id)
            .cloned()
            .or_else(|| (self.source)(&path))
            .unwrap_or_default();
        let key = field.rsplit('.').next().unwrap_or(field);
        let (l, c) = locate_key_value(&text, key, value);
        self.out.push(Problem::error(&path, l, c, field, msg));
    }

    fn exists(&self, id: &str, kind: Kind) -> bool {
        self.agenda.index.get(id).is_some_and(|(k, _)| *k == kind)
    }

    fn org_ok(&self, r: &str) -> bool {
        let code = r.split('/').next().unwrap_or("").trim();
        self.org_codes.contains(code)
    }

    fn person_ok(&self, r: &str) -> bool {
        !r.starts_with("p-") || self.exists(r, Kind::Person)
    }

    /// The record at `index` of its kind's list.
    fn record(&mut self, kind: Kind, index: usize) {
        let a = self.agenda;
        match kind {
            Kind::Meeting => a.meetings.get(index).map(|m| self.meeting(m)),
            Kind::Item => a.items.get(index).map(|i| self.item(i)),
            Kind::Notes => a.notes.get(index).map(|n| self.notes(n)),
            Kind::Action => a.actions.get(index).map(|x| self.action(x)),
            Kind::Body | Kind::Organisation | Kind::Person => None,
        };
    }

    fn meeting(&mut self, m: &Meeting) {
        if !self.exists(&m.body, Kind::Body) {
            self.report(
                &m.id,
                "body",
                &m.body,
                format!("no body `{}` in registry/bodies", m.body),
            );
        }
        if !m.secretariat.is_empty() && !self.org_ok(&m.secretariat) {
            self.report(
                &m.id,
                "secretariat",
                &m.secretariat,
                unknown_org(&m.secretariat),
            );
        }
        if !self.person_ok(&m.chair) {
            self.report(
                &m.id,
                "chair",
                &m.chair,
                format!("no person `{}` in registry/people", m.chair),
            );
        }
        for p in &m.participants {
            if !self.person_ok(&p.who) {
                self.report(
                    &m.id,
                    "participants.who",
                    &p.who,
                    format!("no person `{}` in registry/people", p.who),
                );
            }
        }
    }

    fn item(&mut self, i: &Item) {
        if !self.exists(&i.meeting, Kind::Meeting) {
            self.report(
                &i.id,
                "meeting",
                &i.meeting,
                format!("no meeting `{}` in meetings/", i.meeting),
            );
        }
        if !i.lead.is_empty() && !self.org_ok(&i.lead) {
            self.report(&i.id, "lead", &i.lead, unknown_org(&i.lead));
        }
        for p in &i.presenters {
            if !self.person_ok(&p.who) {
                self.report(
                    &i.id,
                    "presenters.who",
                    &p.who,
                    format!("no person `{}` in registry/people", p.who),
                );
            }
        }
    }

    fn notes(&mut self, n: &Notes) {
        if !self.exists(&n.meeting, Kind::Meeting) {
            self.report(
                &n.id,
                "meeting",
                &n.meeting,
                format!("no meeting `{}` in meetings/", n.meeting),
            );
        }
        let a = self.agenda;
        let item_ok = |it: &str| {
            it.is_empty()
                || a.index.get(it).is_some_and(|(k, ix)| {
                    *k == Kind::Item && a.items.get(*ix).is_some_and(|i| i.meeting == n.meeting)
                })
        };
        for s in &n.summaries {
            if !item_ok(&s.item) {
                self.report(
                    &n.id,
                    "summaries.item",
                    &s.item,
                    format!("no item `{}` in this meeting", s.item),
                );
            }
        }
        for d in &n.decisions {
            if !item_ok(&d.item) {
                self.report(
                    &n.id,
                    "decisions.item",
                    &d.item,
                    format!("no item `{}` in this meeting", d.item),
                );
            }
        }
        for g in &n.agreements {
            if !item_ok(&g.item) {
                self.report(
                    &n.id,
                    "agreements.item",
                    &g.item,
                    format!("no item `{}` in this meeting", g.item),
                );
            }
            for p in &g.parties {
                if !self.org_ok(p) {
                    self.report(&n.id, "agreements.parties", p, unknown_org(p));
                }
            }
        }
    }

    fn action(&mut self, a: &Action) {
        if !self.org_ok(&a.owner) {
            self.report(&a.id, "owner", &a.owner, unknown_org(&a.owner));
        }
        for c in &a.contributors {
            if !self.org_ok(c) {
                self.report(&a.id, "contributors", c, unknown_org(c));
            }
        }
        if !a.meeting.is_empty() && !self.exists(&a.meeting, Kind::Meeting) {
            self.report(
                &a.id,
                "meeting",
                &a.meeting,
                format!("no meeting `{}` in meetings/", a.meeting),
            );
        }
        if !a.item.is_empty() && !self.exists(&a.item, Kind::Item) {
            self.report(
                &a.id,
                "item",
                &a.item,
                format!("no item `{}` in items/", a.item),
            );
        }
    }

    /// A warning for an action whose reference an earlier action already has; `earlier` is
    /// the id of the nearest such action.
    fn duplicate_ref(&mut self, id: &str, reference: &str, earlier: &str) {
        let path = self.agenda.path_of(id).unwrap_or_default();
        let (l, c) = self
            .texts
            .get(id)
            .map(|t| locate_key(t, "ref"))
            .unwrap_or((1, 1));
        self.out.push(Problem::warning(
            &path,
            l,
            c,
            "ref",
            format!("ref `{reference}` is also used by {earlier}; renumber one of them"),
        ));
    }
}

impl Agenda {
    pub(super) fn check_references(
        &mut self,
        texts: &HashMap<String, String>,
        source: TextSource<'_>,
    ) {
        let mut check = Checker::new(self, texts, source);
        for m in &self.meetings {
            check.meeting(m);
        }
        for i in &self.items {
            check.item(i);
        }
        for n in &self.notes {
            check.notes(n);
        }
        for a in &self.actions {
            check.action(a);
        }
        let mut seen_refs: HashMap<&str, &str> = HashMap::default();
        for a in &self.actions {
            if let Some(earlier) = seen_refs.insert(a.reference.as_str(), a.id.as_str()) {
                check.duplicate_ref(&a.id, &a.reference, earlier);
            }
        }
        let out = check.out;
        self.problems.extend(out);
    }

    /// The cross-record problems of one record (at `index` of its kind's list), as
    /// [`Agenda::check_references`] finds them for it.
    pub(super) fn record_references(
        &self,
        kind: Kind,
        index: usize,
        texts: &HashMap<String, String>,
        source: TextSource<'_>,
    ) -> Vec<Problem> {
        let mut check = Checker::new(self, texts, source);
        check.record(kind, index);
        if kind == Kind::Action
            && let Some(a) = self.actions.get(index)
            && let Some(earlier) = self.actions[..index]
                .iter()
                .rev()
                .find(|x| x.reference == a.reference)
        {
            check.duplicate_ref(&a.id, &a.reference, &earlier.id);
        }
        check.out
    }
}

fn unknown_org(r: &str) -> String {
    let code = r.split('/').next().unwrap_or(r);
    format!("no organisation with code `{code}` in registry/organisations")
}
