//! A pack from a server (`store::received_pack`) on arbitrary bytes: never a panic, never an
//! allocation a header asks for without the bytes to back it, never a file left behind. The
//! input is given a correct checksum, so that the fuzzer gets past it to the entries.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sha1::{Digest, Sha1};

fn repo_dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("overleg-fuzz-pack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        git2::Repository::init_bare(&dir).expect("a repository to take packs into");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let mut pack = data.to_vec();
    pack.extend_from_slice(&Sha1::digest(data));
    let dir = repo_dir();
    let Ok(repo) = git2::Repository::open_bare(dir) else {
        return;
    };
    let _ = overleg::store::received_pack::store(&repo, &pack);
    // a pack that went in is removed again: the next inputs start from the same place
    let packs = dir.join("objects/pack");
    let left: Vec<_> = std::fs::read_dir(&packs)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    for p in left {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        assert!(!name.starts_with("tmp_"), "a temporary file was left: {name}");
        let _ = std::fs::remove_file(p);
    }
});
