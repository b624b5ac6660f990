//! The compression level libgit2 packs with. libgit2 deflates every object of a pack it
//! writes (a push; and a fetch from a server on this disk, whose side then runs here) at
//! zlib's default level 6, with no setting to change it. In a large repository a pushed
//! commit carries a folder's tree of megabytes of object ids, which barely compress: level 6
//! spent a fifth of a second of every sync on that, level 1 a few milliseconds, for a pack a
//! few percent larger. Level 1 is what git itself uses for loose objects.
//!
//! The linker sends libgit2's calls of `deflateInit_` here (`--wrap`, set in `build.rs`);
//! an explicit level is kept, only the default one becomes 1.

use std::os::raw::{c_char, c_int, c_void};

const Z_DEFAULT_COMPRESSION: c_int = -1;
const Z_BEST_SPEED: c_int = 1;

unsafe extern "C" {
    fn __real_deflateInit_(
        strm: *mut c_void,
        level: c_int,
        version: *const c_char,
        stream_size: c_int,
    ) -> c_int;
}

/// # Safety
/// Called by C code with zlib's own contract for `deflateInit_`, passed on unchanged but for
/// the level.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap_deflateInit_(
    strm: *mut c_void,
    level: c_int,
    version: *const c_char,
    stream_size: c_int,
) -> c_int {
    let level = if level == Z_DEFAULT_COMPRESSION {
        Z_BEST_SPEED
    } else {
        level
    };
    // SAFETY: the caller's arguments, as zlib defines them.
    unsafe { __real_deflateInit_(strm, level, version, stream_size) }
}
