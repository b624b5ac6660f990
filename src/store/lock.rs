//! A lock that serialises overleg's own writers in one clone, so two processes saving at once
//! both land (one after the other) instead of racing for HEAD. A lock left by a crashed
//! process is recognised by its dead pid and taken over.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::{Result, StoreError};

pub struct WriteLock {
    path: PathBuf,
    /// Whether a lock left by a writer that is gone was taken over: that writer may have left
    /// temporary files beside the records (see `recover`).
    pub taken_over: bool,
}

fn pid_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

fn older_than(path: &Path, age: Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|e| e > age)
}

impl WriteLock {
    /// Take the lock in `git_dir`, waiting up to `wait` for another writer to finish.
    pub fn acquire(git_dir: &Path, wait: Duration) -> Result<WriteLock> {
        let path = git_dir.join("overleg.lock");
        let start = Instant::now();
        let mut taken_over = false;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(WriteLock { path, taken_over });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    if let Some(pid) = holder
                        && !pid_alive(pid)
                    {
                        // Left by a crashed writer: nothing else can hold it.
                        let _ = std::fs::remove_file(&path);
                        taken_over = true;
                        continue;
                    }
                    // No pid in it: a writer killed between creating the file and writing its
                    // pid (microseconds apart). Once it is older than that can take, it is stale.
                    if holder.is_none() && older_than(&path, Duration::from_secs(2)) {
                        let _ = std::fs::remove_file(&path);
                        taken_over = true;
                        continue;
                    }
                    if start.elapsed() >= wait {
                        return Err(StoreError::Busy(path));
                    }
                    // Waiting for another process to finish a commit (milliseconds).
                    std::thread::sleep(Duration::from_millis(15));
                }
                Err(e) => return Err(StoreError::io(&path, e)),
            }
        }
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
