//! A clone's housekeeping: when its loose objects are packed (`store::loose`), by git's own
//! count and by their size, and its small packs joined (`store::packs`). Run after a save on
//! the command line, in the workbench while its user is idle, and after `overleg sync`
//! (`sync::tidy`, which also joins a folder server's packs).

use std::io;
use std::path::Path;

use git2::Repository;

use super::loose::{self, Packed};
use super::pack_index::ID;
use super::packs::{self, Joined};
use super::{Store, StoreError};

/// A clone with more loose objects than this (estimated from one of the 256 folders, as git
/// does) has them packed: git's own default for `gc.auto`.
pub const LOOSE_LIMIT: usize = 6700;

/// How many loose objects a clone may have before they are packed: git's `gc.auto` when
/// set, `None` when it is 0 (the user turned git's automatic packing off, so overleg's too).
pub fn loose_limit(cfg: &git2::Config) -> Option<usize> {
    auto_limit(cfg, "gc.auto", LOOSE_LIMIT)
}

/// One of git's automatic packing limits: the setting `key`, `default` when not set, `None`
/// when 0 or less (turned off).
pub(super) fn auto_limit(cfg: &git2::Config, key: &str, default: usize) -> Option<usize> {
    match cfg.get_i64(key) {
        Ok(n) if n <= 0 => None,
        Ok(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
        Err(_) => Some(default),
    }
}

/// Loose bytes past which the loose objects are packed, however few: at 100,000 records a
/// save writes 1.3 MB loose (the new tree of the record folder), so git's count alone (6,700
/// objects, some 1,700 saves) would let a clone grow by 2 GB before packing. Packing fifty
/// such saves takes under a second and leaves 1.3 MB.
pub const LOOSE_BYTES_LIMIT: u64 = 64 << 20;

/// When the loose objects of a clone are packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// More objects than this (git's `gc.auto`).
    pub objects: Option<usize>,
    /// More bytes than this (`overleg.autoPackBytes`, git's size suffixes allowed).
    pub bytes: Option<u64>,
}

/// The limits set in `cfg`: `gc.auto` 0 turns packing off altogether (the user turned git's
/// automatic packing off, so overleg's too); `overleg.autoPackBytes` 0 turns off only the
/// limit by size.
pub fn limits(cfg: &git2::Config) -> Limits {
    let objects = loose_limit(cfg);
    let bytes = objects.and(
        auto_limit(cfg, "overleg.autoPackBytes", LOOSE_BYTES_LIMIT as usize).map(|b| b as u64),
    );
    Limits { objects, bytes }
}

/// Loose objects past a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// About how many.
    pub objects: usize,
    /// About how many bytes on disk, when they were counted.
    pub bytes: Option<u64>,
}

/// Whether the loose objects of the repository at `git_dir` are past `limits`. The number is
/// git's estimate from one folder (a save writes only a few objects, so a few hundred saves
/// can leave that folder empty); the bytes are summed over every folder while there are few
/// loose objects, else over every sixteenth folder.
pub fn due(git_dir: &Path, limits: Limits) -> Option<Due> {
    let objects = estimate(git_dir);
    if limits.objects.is_some_and(|l| objects > l) {
        return Some(Due {
            objects,
            bytes: None,
        });
    }
    let limit = limits.bytes?;
    let step = if objects <= 16_384 { 1 } else { 16 };
    let (mut count, mut bytes) = (0usize, 0u64);
    for fan in (0..=255u8).step_by(step) {
        let Ok(rd) = std::fs::read_dir(git_dir.join("objects").join(format!("{fan:02x}"))) else {
            continue;
        };
        for e in rd.flatten() {
            if is_object_name(&e.file_name()) {
                count += 1;
                bytes += e.metadata().map_or(0, |m| m.len());
            }
        }
    }
    let (count, bytes) = (count * step, bytes * step as u64);
    (bytes > limit).then_some(Due {
        objects: count,
        bytes: Some(bytes),
    })
}

/// About how many loose objects the repository at `git_dir` has: git's estimate, from the
/// folder `17`.
pub fn estimate(git_dir: &Path) -> usize {
    std::fs::read_dir(git_dir.join("objects").join("17"))
        .map(|rd| {
            rd.flatten()
                .filter(|e| is_object_name(&e.file_name()))
                .count()
                * 256
        })
        .unwrap_or(0)
}

pub(super) fn is_object_name(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.len() == 2 * ID - 2 && n.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A step of housekeeping about to run, for the user to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    PackingLoose(Due),
    JoiningPacks { packs: usize, bytes: u64 },
}

/// What housekeeping did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tidied {
    pub packed: Option<Packed>,
    pub joined: Option<Joined>,
    /// Why a step failed, if one did: every object is kept, and the next time tries again.
    pub failed: Option<String>,
}

/// A clone's housekeeping: its loose objects packed when they are past its limits
/// ([`limits`]), then its small packs joined when there are more than git's
/// `gc.autoPackLimit` (`store::packs`). Each step is told to `announce` before it runs; a
/// step that fails is noted and the next still runs. As soon as `stop` says so everything
/// is given up (`ErrorKind::Interrupted`): what was done before stays done, what was under
/// way is left as if never started.
pub fn tidy(
    repo: &Repository,
    announce: &mut dyn FnMut(Step),
    stop: &mut dyn FnMut() -> bool,
) -> io::Result<Tidied> {
    let cfg = repo
        .config()
        .map_err(|e| io::Error::other(e.message().to_string()))?;
    let mut done = Tidied::default();
    if let Some(d) = due(repo.path(), limits(&cfg)) {
        announce(Step::PackingLoose(d));
        match pack_loose(repo, stop) {
            Ok(p) => done.packed = Some(p),
            Err(e) => note(e, &mut done.failed)?,
        }
    }
    if let Some(limit) = packs::pack_limit(&cfg) {
        match join_packs(repo.path(), limit, announce, stop) {
            Ok(j) => done.joined = j,
            Err(e) => note(e, &mut done.failed)?,
        }
    }
    Ok(done)
}

/// A failed step noted in `failed` (the first one kept); a stop passed on.
fn note(e: io::Error, failed: &mut Option<String>) -> io::Result<()> {
    if e.kind() == io::ErrorKind::Interrupted {
        return Err(e);
    }
    failed.get_or_insert_with(|| crate::text::line(&e.to_string()));
    Ok(())
}

/// Join the small packs of the repository at `git_dir` when it has more than `limit`
/// (`store::packs`), told to `announce` first; `Ok(None)` when there was nothing to join.
pub fn join_packs(
    git_dir: &Path,
    limit: usize,
    announce: &mut dyn FnMut(Step),
    stop: &mut dyn FnMut() -> bool,
) -> io::Result<Option<Joined>> {
    let Some(plan) = packs::plan(git_dir, limit)? else {
        return Ok(None);
    };
    announce(Step::JoiningPacks {
        packs: plan.packs(),
        bytes: plan.bytes(),
    });
    plan.run_unless(stop)
}

impl Store {
    /// This clone's housekeeping ([`tidy`]).
    pub fn tidy(
        &self,
        announce: &mut dyn FnMut(Step),
        stop: &mut dyn FnMut() -> bool,
    ) -> io::Result<Tidied> {
        let repo = self
            .repo()
            .map_err(|e: StoreError| io::Error::other(e.to_string()))?;
        tidy(&repo, announce, stop)
    }

    /// Pack the loose objects of this clone, whatever their number ([`pack_loose`]).
    pub fn pack_loose(&self, stop: &mut dyn FnMut() -> bool) -> io::Result<Packed> {
        let repo = self
            .repo()
            .map_err(|e: StoreError| io::Error::other(e.to_string()))?;
        pack_loose(&repo, stop)
    }
}

/// Pack the loose objects of `repo` ([`loose::pack_all_unless`]), after removing what a
/// packing or join that was killed left behind.
pub fn pack_loose(repo: &Repository, stop: &mut dyn FnMut() -> bool) -> io::Result<Packed> {
    super::pack_writer::sweep_abandoned(&repo.path().join("objects").join("pack"));
    loose::pack_all_unless(repo, stop)
}

#[cfg(test)]
#[path = "housekeeping_tests.rs"]
mod tests;
