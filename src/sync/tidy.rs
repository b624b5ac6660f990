//! Housekeeping after a sync: every save writes its objects loose, every fetch leaves a pack
//! here and every push to a folder server one there. Once there are many, the loose objects
//! are packed (`store::loose`) and the small packs joined (`store::packs`), each announced
//! before it runs. git's own settings decide when (`gc.auto`, `gc.autoPackLimit`; 0 turns
//! them off), the server's for the server.

use std::time::Instant;

use git2::Repository;

use super::{Event, SyncReport, folder, remote};
use crate::store::{housekeeping, packs};

/// Pack and join what is due in the clone, and in the folder server if this sync pushed to
/// one. A failure is noted in `report` (every object stays); the sync itself has succeeded.
pub(super) fn tidy(
    repo: &Repository,
    remote_name: &str,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(&Event),
) {
    let mut failed = |e: std::io::Error| {
        report
            .packs_error
            .get_or_insert(crate::text::line(&e.to_string()));
    };
    let cfg = repo.config().ok();
    let due = cfg
        .as_ref()
        .and_then(|c| housekeeping::due(repo.path(), housekeeping::limits(c)));
    if let Some(due) = due {
        let t0 = Instant::now();
        progress(&Event::PackingLoose {
            objects: due.objects,
            bytes: due.bytes,
        });
        match housekeeping::pack_loose(repo, &mut || false) {
            Ok(p) => {
                timing(|| format!("packed {p:?}"), t0);
                report.loose_packed = p.objects;
            }
            Err(e) => failed(e),
        }
    }
    let mut dirs = vec![(
        repo.path().to_path_buf(),
        cfg.as_ref().and_then(packs::pack_limit),
    )];
    if report.pushed {
        dirs.extend(folder_server(repo, remote_name));
    }
    for (dir, limit) in dirs {
        let Some(limit) = limit else { continue };
        let t0 = Instant::now();
        let joined = packs::plan(&dir, limit).and_then(|plan| match plan {
            Some(p) => {
                progress(&Event::JoiningPacks {
                    packs: p.packs(),
                    bytes: p.bytes(),
                });
                p.run()
            }
            None => Ok(None),
        });
        match joined {
            Ok(None) => {}
            Ok(Some(j)) => {
                timing(
                    || format!("joined {} packs of {}: {j:?}", j.packs, dir.display()),
                    t0,
                );
                report.packs_joined += j.packs;
            }
            Err(e) => failed(e),
        }
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
