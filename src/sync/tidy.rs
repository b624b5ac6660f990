//! Housekeeping after a sync: every save writes its objects loose, every fetch leaves a pack
//! here and every push to a folder server one there. Once there are many, the loose objects
//! are packed (`store::loose`) and the small packs joined (`store::packs`), each announced
//! before it runs. git's own settings decide when (`gc.auto`, `gc.autoPackLimit`; 0 turns
//! them off), the server's for the server.

use std::time::Instant;

use git2::Repository;

use super::{Event, SyncOptions, SyncReport, folder, remote};
use crate::store::housekeeping::{self, Step};
use crate::store::packs;

/// Pack and join what is due in the clone, and in the folder server if this sync pushed to
/// one. A failure is noted in `report` (every object stays); the sync itself has succeeded.
pub(super) fn tidy(
    repo: &Repository,
    opts: &SyncOptions,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(&Event),
) {
    let mut error: Option<String> = None;
    let mut failed = |e: String| {
        error.get_or_insert(crate::text::line(&e));
    };
    let announce = &mut |step| {
        progress(&match step {
            Step::PackingLoose(d) => Event::PackingLoose {
                objects: d.objects,
                bytes: d.bytes,
            },
            Step::JoiningPacks { packs, bytes } => Event::JoiningPacks { packs, bytes },
        })
    };
    let (mut packed, mut joined) = (0, 0);
    if opts.tidy_clone {
        let t0 = Instant::now();
        match housekeeping::tidy(repo, announce, &mut || false) {
            Ok(t) => {
                timing(|| format!("tidied the clone {t:?}"), t0);
                packed = t.packed.map_or(0, |p| p.objects);
                joined = t.joined.map_or(0, |j| j.packs);
                if let Some(e) = t.failed {
                    failed(e);
                }
            }
            Err(e) => failed(e.to_string()),
        }
    }
    // the folder server this sync pushed to: nobody else keeps its packs few
    let server = if report.pushed {
        folder_server(repo, &opts.remote)
    } else {
        None
    };
    if let Some((dir, Some(limit))) = server {
        let t0 = Instant::now();
        match housekeeping::join_packs(&dir, limit, announce, &mut || false) {
            Ok(None) => {}
            Ok(Some(j)) => {
                timing(
                    || format!("joined {} packs of {}: {j:?}", j.packs, dir.display()),
                    t0,
                );
                joined += j.packs;
            }
            Err(e) => failed(e.to_string()),
        }
    }
    report.loose_packed = packed;
    report.packs_joined += joined;
    if report.packs_error.is_none() {
        report.packs_error = error;
    }
}

fn timing(what: impl FnOnce() -> String, t0: Instant) {
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!("sync: {} {:?}", what(), t0.elapsed());
    }
}

/// The server's git folder and pack limit when it is a bare repository on a path (which
/// overleg pushes to itself, so nobody else keeps its packs few).
fn folder_server(
    repo: &Repository,
    remote_name: &str,
) -> Option<(std::path::PathBuf, Option<usize>)> {
    let remote = repo.find_remote(remote_name).ok()?;
    let server = folder::bare_folder(&remote::push_url(&remote))?;
    let limit = server.config().ok().and_then(|c| packs::pack_limit(&c));
    Some((server.path().to_path_buf(), limit))
}
