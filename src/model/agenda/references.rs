//! Cross-record rules checked when the agenda is built: every reference points at a record
//! that exists, and human references are not used twice. Problems, never panics.

use rustc_hash::FxHashMap as HashMap;

use super::{Agenda, TextSource};
use crate::model::problem::{Problem, locate_key, locate_key_value};
use crate::model::records::*;

impl Agenda {
    pub(super) fn check_references(
        &mut self,
        texts: &HashMap<String, String>,
        source: TextSource<'_>,
    ) {
        let mut out = Vec::new();
        let org_codes: std::collections::HashSet<&str> =
            self.organisations.iter().map(|o| o.code.as_str()).collect();
        let mut report = |id: &str, field: &str, value: &str, msg: String| {
            let path = self.path_of(id).unwrap_or_default();
            let text = texts
                .get(id)
                .cloned()
                .or_else(|| source(&path))
                .unwrap_or_default();
            let key = field.rsplit('.').next().unwrap_or(field);
            let (l, c) = locate_key_value(&text, key, value);
            out.push(Problem::error(&path, l, c, field, msg));
        };
        let exists = |id: &str, kind: Kind| self.index.get(id).is_some_and(|(k, _)| *k == kind);
        let org_ok = |r: &str| {
            let code = r.split('/').next().unwrap_or("").trim();
            org_codes.contains(code)
        };
        let person_ok = |r: &str| !r.starts_with("p-") || exists(r, Kind::Person);
        for m in &self.meetings {
            if !exists(&m.body, Kind::Body) {
                report(
                    &m.id,
                    "body",
                    &m.body,
                    format!("no body `{}` in registry/bodies", m.body),
                );
            }
            if !m.secretariat.is_empty() && !org_ok(&m.secretariat) {
                report(
                    &m.id,
                    "secretariat",
                    &m.secretariat,
                    unknown_org(&m.secretariat),
                );
            }
            if !person_ok(&m.chair) {
                report(
                    &m.id,
                    "chair",
                    &m.chair,
                    format!("no person `{}` in registry/people", m.chair),
                );
            }
            for p in &m.participants {
                if !person_ok(&p.who) {
                    report(
                        &m.id,
                        "participants.who",
                        &p.who,
                        format!("no person `{}` in registry/people", p.who),
                    );
                }
            }
        }
        for i in &self.items {
            if !exists(&i.meeting, Kind::Meeting) {
                report(
                    &i.id,
                    "meeting",
                    &i.meeting,
                    format!("no meeting `{}` in meetings/", i.meeting),
                );
            }
            if !i.lead.is_empty() && !org_ok(&i.lead) {
                report(&i.id, "lead", &i.lead, unknown_org(&i.lead));
            }
            for p in &i.presenters {
                if !person_ok(&p.who) {
                    report(
                        &i.id,
                        "presenters.who",
                        &p.who,
                        format!("no person `{}` in registry/people", p.who),
                    );
                }
            }
        }
        for n in &self.notes {
            if !exists(&n.meeting, Kind::Meeting) {
                report(
                    &n.id,
                    "meeting",
                    &n.meeting,
                    format!("no meeting `{}` in meetings/", n.meeting),
                );
            }
            let item_ok = |it: &str| {
                it.is_empty()
                    || self.index.get(it).is_some_and(|(k, ix)| {
                        *k == Kind::Item && self.items[*ix].meeting == n.meeting
                    })
            };
            for s in &n.summaries {
                if !item_ok(&s.item) {
                    report(
                        &n.id,
                        "summaries.item",
                        &s.item,
                        format!("no item `{}` in this meeting", s.item),
                    );
                }
            }
            for d in &n.decisions {
                if !item_ok(&d.item) {
                    report(
                        &n.id,
                        "decisions.item",
                        &d.item,
                        format!("no item `{}` in this meeting", d.item),
                    );
                }
            }
            for g in &n.agreements {
                if !item_ok(&g.item) {
                    report(
                        &n.id,
                        "agreements.item",
                        &g.item,
                        format!("no item `{}` in this meeting", g.item),
                    );
                }
                for p in &g.parties {
                    if !org_ok(p) {
                        report(&n.id, "agreements.parties", p, unknown_org(p));
                    }
                }
            }
        }
        for a in &self.actions {
            if !org_ok(&a.owner) {
                report(&a.id, "owner", &a.owner, unknown_org(&a.owner));
            }
            for c in &a.contributors {
                if !org_ok(c) {
                    report(&a.id, "contributors", c, unknown_org(c));
                }
            }
            if !a.meeting.is_empty() && !exists(&a.meeting, Kind::Meeting) {
                report(
                    &a.id,
                    "meeting",
                    &a.meeting,
                    format!("no meeting `{}` in meetings/", a.meeting),
                );
            }
            if !a.item.is_empty() && !exists(&a.item, Kind::Item) {
                report(
                    &a.id,
                    "item",
                    &a.item,
                    format!("no item `{}` in items/", a.item),
                );
            }
        }
        let mut seen_refs: HashMap<&str, &str> = HashMap::default();
        let mut dup = Vec::new();
        for a in &self.actions {
            if let Some(first) = seen_refs.insert(a.reference.as_str(), a.id.as_str()) {
                dup.push((a.id.clone(), a.reference.clone(), first.to_string()));
            }
        }
        for (id, r, first) in dup {
            let path = self.path_of(&id).unwrap_or_default();
            let (l, c) = texts
                .get(&id)
                .map(|t| locate_key(t, "ref"))
                .unwrap_or((1, 1));
            out.push(Problem::warning(
                &path,
                l,
                c,
                "ref",
                format!("ref `{r}` is also used by {first}; renumber one of them"),
            ));
        }
        self.problems.extend(out);
    }
}

fn unknown_org(r: &str) -> String {
    let code = r.split('/').next().unwrap_or(r);
    format!("no organisation with code `{code}` in registry/organisations")
}
