//! Sync in the workbench: the `S` command, its progress on the status line, what a sync ended
//! with in plain words, and the choices on the Conflicten screen. Pure like `update`: the work
//! itself runs on the worker (`Job::Sync`, `Job::Resolve`).

use crate::sync::conflicts::FieldConflict;
use crate::sync::merge::{ConflictKind, Take};
use crate::sync::{Event, SyncReport};

use super::action::{Effect, Job, ResolvedOutcome, SyncFailure, SyncSnapshot};
use super::commands::nothing;
use super::i18n::{Lang, Msg};
use super::state::{Level, Overlay, Screen, State, View};
use super::widgets::{Editor, EditorSave};

/// `S`: start a sync on the worker, unless one is under way.
pub fn start(s: &mut State) -> Vec<Effect> {
    if s.syncing.is_some() {
        s.info(Level::Info, s.t(Msg::SyncAlready));
        return Vec::new();
    }
    let job = s.job_id();
    s.syncing = Some((job, None));
    s.info(Level::Info, s.t(Msg::Syncing));
    vec![Effect::Run(job, Job::Sync)]
}

/// The conflict under the cursor on the Conflicten screen.
pub fn selected(s: &State) -> Option<&FieldConflict> {
    if s.view().screen != Screen::Conflicts {
        return None;
    }
    s.sync.conflicts.get(s.view().sel[0])
}

/// `o` / `t`: take one side for the selected field.
pub fn take(s: &mut State, take: Take) -> Vec<Effect> {
    match selected(s) {
        Some(c) => {
            let (record, field) = (c.path.clone(), c.field.clone());
            resolve(s, record, field, take)
        }
        None => nothing(s),
    }
}

pub fn resolve(s: &mut State, record: String, field: String, take: Take) -> Vec<Effect> {
    let job = s.job_id();
    s.pending.push((job, s.t(Msg::Resolving).to_string()));
    s.info(Level::Info, s.t(Msg::Resolving));
    vec![Effect::Run(
        job,
        Job::Resolve {
            record,
            field,
            take,
        },
    )]
}

/// `e` / `E`: edit a combination of both values in the multi-line editor (or `$EDITOR`).
/// A text starts as both versions one after the other, a value as ours.
pub fn edit(s: &mut State, external: bool) -> Vec<Effect> {
    let Some(c) = selected(s).cloned() else {
        return nothing(s);
    };
    if !matches!(c.conflict, ConflictKind::Value | ConflictKind::Text) {
        s.info(Level::Info, s.t(Msg::ChooseOursTheirs));
        return Vec::new();
    }
    let ours = c.ours.clone().unwrap_or_default();
    let theirs = c.theirs.clone().unwrap_or_default();
    let start = if c.conflict == ConflictKind::Text && !theirs.is_empty() && ours != theirs {
        format!("{}\n\n{}", ours.trim_end(), theirs.trim_end())
    } else if ours.is_empty() {
        theirs
    } else {
        ours
    };
    let title = crate::text::line(&format!(
        "{} — {} {}",
        s.t(Msg::Combine),
        s.agenda.reference(&c.id),
        c.field
    ));
    let e = Editor::new(
        title,
        &start,
        EditorSave::Resolve {
            record: c.path.clone(),
            field: c.field.clone(),
        },
    );
    let text = e.text();
    s.overlays.push(Overlay::Editor(Box::new(e)));
    if external {
        vec![Effect::External {
            target: super::action::EditTarget::Editor,
            text,
        }]
    } else {
        Vec::new()
    }
}

/// A sync ended.
pub fn synced(s: &mut State, job: u64, outcome: Result<SyncReport, SyncFailure>) {
    if s.syncing.as_ref().is_some_and(|(j, _)| *j == job) {
        s.syncing = None;
    }
    match outcome {
        Ok(r) if r.conflicts > 0 => {
            s.merge_done = false;
            let text = match s.lang {
                Lang::Nl => format!(
                    "{} {}: kies per veld; er wordt niets gedeeld tot alles is opgelost",
                    r.conflicts,
                    if r.conflicts == 1 {
                        "conflict"
                    } else {
                        "conflicten"
                    }
                ),
                Lang::En => format!(
                    "{} {}: choose per field; nothing is shared until all are resolved",
                    r.conflicts,
                    if r.conflicts == 1 {
                        "conflict"
                    } else {
                        "conflicts"
                    }
                ),
            };
            s.info(Level::Info, text);
            if s.view().screen != Screen::Conflicts {
                s.stack.push(View::new(Screen::Conflicts));
            }
            first_open(s);
        }
        Ok(r) => {
            s.merge_done = false;
            match &r.packs_error {
                // the sync itself went well; the clone's packs stay as they were
                Some(e) => {
                    let text = match s.lang {
                        Lang::Nl => format!(
                            "{}; de objecten van deze kloon konden niet worden ingepakt ({e}), er is niets verloren en de volgende synchronisatie probeert het opnieuw",
                            report_text(s.lang, &r)
                        ),
                        Lang::En => format!(
                            "{}; this clone's objects could not be packed ({e}), nothing is lost and the next sync tries again",
                            report_text(s.lang, &r)
                        ),
                    };
                    s.info(Level::Info, crate::text::line(&text));
                }
                None => s.info(Level::Ok, report_text(s.lang, &r)),
            }
        }
        Err(f) => s.info(Level::Error, failure_text(s.lang, &f)),
    }
}

/// A choice for a conflict was made (or refused).
pub fn resolved(s: &mut State, job: u64, outcome: Result<ResolvedOutcome, String>) {
    s.pending.retain(|(j, _)| *j != job);
    match outcome {
        Ok(r) if r.completed => {
            s.merge_done = true;
            s.info(Level::Ok, s.t(Msg::MergeComplete));
        }
        Ok(r) => {
            let text = match s.lang {
                Lang::Nl => format!("{} gekozen; nog {} open", r.field, r.remaining),
                Lang::En => format!("{} chosen; {} still open", r.field, r.remaining),
            };
            s.info(Level::Ok, crate::text::line(&text));
            first_open(s);
        }
        Err(m) => s.info(Level::Error, crate::text::line(&m)),
    }
}

/// Put the cursor of the Conflicten screen on the first field without a choice.
fn first_open(s: &mut State) {
    if s.view().screen != Screen::Conflicts {
        return;
    }
    if let Some(i) = s.sync.conflicts.iter().position(|c| c.resolved.is_none()) {
        s.view_mut().sel[0] = i;
    }
}

/// What a sync did, in a line.
pub fn report_text(lang: Lang, r: &SyncReport) -> String {
    let mut parts = Vec::new();
    let nl = lang == Lang::Nl;
    if r.incoming > 0 {
        parts.push(if nl {
            format!("{} bestanden binnengehaald", r.incoming)
        } else {
            format!("{} files fetched", r.incoming)
        });
    }
    if !r.merged.is_empty() {
        parts.push(if nl {
            format!("{} records per veld samengevoegd", r.merged.len())
        } else {
            format!("{} records merged field by field", r.merged.len())
        });
    }
    if r.pushed {
        parts.push(if nl { "gedeeld" } else { "shared" }.to_string());
    }
    if parts.is_empty() {
        parts.push(
            if nl {
                "alles was al bij"
            } else {
                "already up to date"
            }
            .to_string(),
        );
    }
    let head = if nl { "Gesynchroniseerd" } else { "Synced" };
    format!("{head}: {}", parts.join(", "))
}

/// Why a sync stopped, plainly, with what to do.
pub fn failure_text(lang: Lang, f: &SyncFailure) -> String {
    let nl = lang == Lang::Nl;
    let t = match f {
        SyncFailure::Unreachable { url, .. } => {
            if nl {
                format!(
                    "server {url} niet bereikbaar (offline?). Je werk is bewaard en vastgelegd; synchroniseer later opnieuw met S"
                )
            } else {
                format!(
                    "cannot reach the server {url} (offline?). Your work is kept and committed; sync again later with S"
                )
            }
        }
        SyncFailure::Auth { url, .. } => {
            if nl {
                format!(
                    "aanmelden bij {url} mislukt: controleer gebruikersnaam en wachtwoord of sleutel. Er is niets veranderd"
                )
            } else {
                format!(
                    "authentication failed for {url}: check the user name and password or key. Nothing was changed"
                )
            }
        }
        SyncFailure::Dirty(files) => {
            if nl {
                format!(
                    "niet-vastgelegde wijzigingen in {}: sla ze op of leg ze vast met git, dan opnieuw S",
                    files.join(", ")
                )
            } else {
                format!(
                    "uncommitted changes in {}: save them or commit them with git, then S again",
                    files.join(", ")
                )
            }
        }
        SyncFailure::Markers(files) => {
            if nl {
                format!(
                    "conflictmarkeringen van een git-merge buiten overleg in {}: haal de <<<<<<< ======= >>>>>>> regels weg, commit, dan opnieuw S",
                    files.join(", ")
                )
            } else {
                format!(
                    "conflict markers from a git merge outside overleg in {}: remove the <<<<<<< ======= >>>>>>> lines, commit, then S again",
                    files.join(", ")
                )
            }
        }
        SyncFailure::NoRemote(r) => {
            if nl {
                format!(
                    "deze kopie heeft geen server `{r}`; voeg er een toe met `git remote add {r} URL`"
                )
            } else {
                format!("this clone has no remote `{r}`; add one with `git remote add {r} URL`")
            }
        }
        SyncFailure::Busy(n) => {
            if nl {
                format!(
                    "anderen bleven tussendoor delen ({n} pogingen); je werk is hier samengevoegd, probeer S nog eens"
                )
            } else {
                format!(
                    "others kept pushing meanwhile ({n} attempts); your work is merged here, try S again"
                )
            }
        }
        SyncFailure::Other(m) => m.clone(),
    };
    crate::text::line(&t)
}

/// The sync under way, for the status line.
pub fn progress_text(s: &State) -> Option<String> {
    let (_, event) = s.syncing.as_ref()?;
    Some(match event {
        None | Some(Event::Fetching) => s.t(Msg::SyncFetching).to_string(),
        Some(Event::Fetch {
            received_objects,
            total_objects,
            ..
        }) => format!(
            "{} {received_objects}/{total_objects} {}",
            s.t(Msg::SyncFetching),
            s.t(Msg::SyncObjects)
        ),
        Some(Event::Merging) => s.t(Msg::SyncMerging).to_string(),
        Some(Event::JoiningPacks { packs, .. }) => {
            format!("{} ({packs})", s.t(Msg::SyncJoiningPacks))
        }
        Some(Event::PackingLoose { objects, .. }) => {
            format!("{} ({objects})", s.t(Msg::SyncPackingLoose))
        }
        Some(Event::Pushing) => s.t(Msg::SyncPushing).to_string(),
        Some(Event::Push { current, total, .. }) => {
            format!("{} {current}/{total}", s.t(Msg::SyncPushing))
        }
        Some(Event::Retrying(n)) => format!("{} {n}…", s.t(Msg::SyncRetrying)),
        Some(Event::Remote(m) | Event::RemoteProgress(m)) => {
            format!("{} {}", s.t(Msg::Syncing), crate::text::line(m))
        }
    })
}

/// A time the way the local clock shows it: "14:32" today, else "8 feb 14:32".
pub fn clock(s: &State, secs: i64, offset_minutes: i32) -> String {
    let t = secs + i64::from(offset_minutes) * 60;
    let d = crate::model::Date::from_days(t.div_euclid(86_400));
    let m = t.rem_euclid(86_400) / 60;
    let hm = format!("{:02}:{:02}", m / 60, m % 60);
    if d == s.today {
        hm
    } else {
        let short = s.lang.date_short(d);
        // "8 feb 2021" → "8 feb" in the current year
        let short = short
            .strip_suffix(&format!(" {}", s.today.year))
            .map_or(short.clone(), str::to_string);
        format!("{short} {hm}")
    }
}

/// The sync part of the status line, from the most to the least words; the caller takes the
/// first that fits.
pub fn status_parts(s: &State) -> Vec<String> {
    let snap: &SyncSnapshot = &s.sync;
    let (ahead, behind) = match &snap.status {
        Some(st) => (st.ahead, st.behind),
        None => (s.unshared.unwrap_or(0), 0),
    };
    let open = s.open_conflicts();
    let words = |n: usize| s.t(if n == 1 { Msg::Change1 } else { Msg::Changes });
    let when = snap.status.as_ref().map(|st| {
        let failed = st.last_attempt.is_some()
            && st.last_attempt > st.last_success
            && st
                .last_result
                .as_deref()
                .is_some_and(|r| !r.contains("conflict") && r != "pushed" && r != "up to date");
        match (failed, st.last_attempt, st.last_success) {
            (true, Some(t), _) => format!(
                "{} {}",
                s.t(Msg::SyncFailed),
                clock(s, t, snap.offset_minutes)
            ),
            (_, _, Some(t)) => format!(
                "{} {}",
                s.t(Msg::LastSync),
                clock(s, t, snap.offset_minutes)
            ),
            _ => s.t(Msg::NeverSynced).to_string(),
        }
    });
    let conflicts = (open > 0).then(|| {
        let word = s.t(if open == 1 {
            Msg::Conflict1
        } else {
            Msg::Conflicts
        });
        format!("{open} {}", word.to_lowercase())
    });
    let long: Vec<String> = [
        conflicts.clone(),
        (ahead > 0).then(|| format!("{ahead} {} {}", words(ahead), s.t(Msg::NotYetShared))),
        (behind > 0).then(|| format!("{behind} {}", s.t(Msg::ToFetch))),
        when.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let short: Vec<String> = [
        conflicts.clone(),
        (ahead > 0).then(|| format!("{ahead} {}", s.t(Msg::NotYetShared))),
        (behind > 0).then(|| format!("{behind} {}", s.t(Msg::ToFetch))),
        when,
    ]
    .into_iter()
    .flatten()
    .collect();
    let tiny: Vec<String> = [
        conflicts,
        (ahead > 0).then(|| format!("↑{ahead}")),
        (behind > 0).then(|| format!("↓{behind}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    vec![long.join(" · "), short.join(" · "), tiny.join(" ")]
}
