//! Talking to the server: fetch and push with progress, credentials from the user's own git
//! setup (credential helpers, ssh-agent), and errors that say what happened in plain words.
//! No credential is ever stored, printed or logged by this module.

use std::cell::{Cell, RefCell};

use git2::{
    CredentialType, ErrorClass, ErrorCode, FetchOptions, PushOptions, Remote, RemoteCallbacks,
    Repository,
};

use super::remote_text::{RemoteLine, RemoteText};
use super::{Event, SyncError};

/// The URL of a remote with any `user:password@` part removed, safe to show.
pub fn safe_url(url: &str) -> String {
    let shown = match url.split_once("://") {
        Some((scheme, rest)) => {
            let (auth_host, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let host = auth_host.rsplit_once('@').map_or(auth_host, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_string(),
    };
    crate::text::line(&shown)
}

/// What the credentials callback tried, so a failure can be named.
#[derive(Default)]
pub(crate) struct AuthTrack {
    calls: Cell<u32>,
    helper_tried: Cell<bool>,
    helper_empty: Cell<bool>,
    agent_tried: Cell<bool>,
    default_tried: Cell<bool>,
    gave_up: Cell<bool>,
}

const MAX_AUTH_CALLS: u32 = 6;

fn auth_error(msg: &str) -> git2::Error {
    git2::Error::new(ErrorCode::Auth, ErrorClass::Callback, msg)
}

/// What to do when no credentials were found (libgit2's push and fetch, and ours).
pub(crate) const NO_CREDENTIALS: &str = "no user name and password were found: set up a git \
     credential helper (`git config --global credential.helper …`) or an ssh key in ssh-agent";

/// What to do when the server refused the credentials found.
pub(crate) const CREDENTIALS_REFUSED: &str = "the server refused the credentials from your git \
     credential helper or ssh-agent; check the user name and password (or key) for this server";

/// A server that stayed silent past the sync's limit.
pub(crate) fn did_not_answer() -> String {
    format!(
        "the server did not answer within {} seconds",
        network_timeout_secs()
    )
}

/// A connection that ended half way (`why`: what the connection said).
pub(crate) fn broke_off(why: &str) -> String {
    format!("the connection broke off during the transfer ({why}); nothing was changed here")
}

/// Turn whatever went wrong talking to `url` into a message for a person.
pub(crate) fn classify(e: &git2::Error, url: &str, track: &AuthTrack) -> SyncError {
    let msg = crate::text::line(e.message());
    let low = msg.to_lowercase();
    let auth = track.gave_up.get()
        || e.code() == ErrorCode::Auth
        || low.contains("authentication")
        || low.contains("401")
        || low.contains("403")
        || low.contains("unauthorized");
    if auth {
        let why = if track.helper_empty.get() {
            NO_CREDENTIALS
        } else {
            CREDENTIALS_REFUSED
        };
        return SyncError::Auth {
            url: safe_url(url),
            detail: why.to_string(),
        };
    }
    if e.code() == ErrorCode::Certificate || e.class() == ErrorClass::Ssl {
        return SyncError::Unreachable {
            url: safe_url(url),
            detail: format!("the server's certificate or host key was not accepted: {msg}"),
        };
    }
    if low.contains("timed out") || low.contains("timeout") {
        return SyncError::Unreachable {
            url: safe_url(url),
            detail: format!("{} ({msg})", did_not_answer()),
        };
    }
    if low.contains("early eof")
        || low.contains("unexpected eof")
        || low.contains("connection reset")
        || low.contains("closed")
        || low.contains("short read")
    {
        return SyncError::Unreachable {
            url: safe_url(url),
            detail: broke_off(&msg),
        };
    }
    SyncError::Unreachable {
        url: safe_url(url),
        detail: msg,
    }
}

/// Callbacks for one network operation: credentials with an attempt counter, progress, and
/// the remote's messages (sanitised).
pub(crate) fn callbacks<'a>(
    cfg: &'a git2::Config,
    track: &'a AuthTrack,
    progress: &'a RefCell<&mut dyn FnMut(&Event)>,
) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |url, user, allowed: CredentialType| {
        track.calls.set(track.calls.get() + 1);
        if track.calls.get() > MAX_AUTH_CALLS {
            track.gave_up.set(true);
            return Err(auth_error("authentication failed"));
        }
        let user_or_git = user.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return git2::Cred::username(user_or_git);
        }
        if allowed.contains(CredentialType::SSH_KEY) && !track.agent_tried.get() {
            track.agent_tried.set(true);
            return git2::Cred::ssh_key_from_agent(user_or_git);
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) && !track.helper_tried.get() {
            track.helper_tried.set(true);
            return match git2::Cred::credential_helper(cfg, url, user) {
                Ok(c) => Ok(c),
                Err(_) => {
                    track.helper_empty.set(true);
                    track.gave_up.set(true);
                    Err(auth_error("no credentials found"))
                }
            };
        }
        if allowed.contains(CredentialType::DEFAULT) && !track.default_tried.get() {
            track.default_tried.set(true);
            return git2::Cred::default();
        }
        track.gave_up.set(true);
        Err(auth_error("authentication failed"))
    });
    cb.transfer_progress(move |p| {
        let ev = Event::Fetch {
            received_objects: p.received_objects(),
            total_objects: p.total_objects(),
            indexed_deltas: p.indexed_deltas(),
            total_deltas: p.total_deltas(),
            received_bytes: p.received_bytes(),
        };
        emit(progress, &ev);
        true
    });
    let mut sideband = Sideband::new(progress);
    cb.sideband_progress(move |bytes| {
        sideband.feed(bytes);
        true
    });
    cb.push_transfer_progress(move |current, total, bytes| {
        emit(
            progress,
            &Event::Push {
                current,
                total,
                bytes,
            },
        );
    });
    cb
}

/// `e` to whoever follows the progress, unless it is busy (a report from inside a report).
/// The server's text, passed on line by line; what it left unended is passed on when the
/// operation's callbacks are dropped.
pub(crate) struct Sideband<'a, 'f> {
    text: RemoteText,
    progress: &'a RefCell<&'f mut dyn FnMut(&Event)>,
}

impl<'a, 'f> Sideband<'a, 'f> {
    pub(crate) fn new(progress: &'a RefCell<&'f mut dyn FnMut(&Event)>) -> Sideband<'a, 'f> {
        Sideband {
            text: RemoteText::default(),
            progress,
        }
    }

    /// Raw bytes of the server's messages, passed on as whole, safe lines.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for l in self.text.feed(bytes) {
            self.emit(l);
        }
    }

    fn emit(&self, l: RemoteLine) {
        let e = if l.progress {
            Event::RemoteProgress(l.text)
        } else {
            Event::Remote(l.text)
        };
        emit(self.progress, &e);
    }
}

impl Drop for Sideband<'_, '_> {
    fn drop(&mut self) {
        if let Some(l) = self.text.finish() {
            self.emit(l);
        }
    }
}

pub(crate) fn emit(progress: &RefCell<&mut dyn FnMut(&Event)>, e: &Event) {
    if let Ok(mut f) = progress.try_borrow_mut() {
        f(e);
    }
}

/// Where a push goes: the remote's push URL, else its URL.
pub(crate) fn push_url(remote: &Remote<'_>) -> String {
    match remote.pushurl() {
        Ok(Some(push_url)) => push_url,
        _ => remote.url().unwrap_or(""),
    }
    .to_string()
}

/// Seconds a server may stay silent before a fetch or push gives up (`OVERLEG_NET_TIMEOUT`,
/// default 30); connecting gets half of it. Without these libgit2 waits for ever on a server
/// that accepts the connection and then hangs.
pub fn network_timeout_secs() -> u32 {
    std::env::var("OVERLEG_NET_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(30)
}

/// The certificates for an HTTPS server, loaded at the first connection (see `crate::tls`).
fn certificates_for(url: &str) -> Result<(), SyncError> {
    if url.starts_with("https://") {
        crate::tls::load_certificates()?;
    }
    Ok(())
}

fn apply_network_timeouts() {
    let ms = i32::try_from(network_timeout_secs().saturating_mul(1000)).unwrap_or(i32::MAX);
    // SAFETY: libgit2 options are process-wide integers; setting them while no other thread
    // is in the middle of connecting only changes the next connection's limits.
    unsafe {
        let _ = git2::opts::set_server_connect_timeout_in_milliseconds((ms / 2).max(1000));
        let _ = git2::opts::set_server_timeout_in_milliseconds(ms);
    }
}

/// Fetch `branch` of `remote` into `refs/remotes/<remote>/<branch>`.
pub(crate) fn fetch(
    repo: &Repository,
    remote: &mut Remote<'_>,
    branch: &str,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
) -> Result<(), SyncError> {
    let cfg = repo.config()?;
    let track = AuthTrack::default();
    let url = remote.url().unwrap_or("").to_string();
    let name = remote.name().ok().flatten().unwrap_or("origin").to_string();
    let remote_ref = format!("refs/remotes/{name}/{branch}");
    if let Some(server) = super::folder::bare_folder(&url)
        && let Some(res) = super::folder::fetch(repo, &server, branch, &remote_ref, progress)
    {
        return res.map_err(|e| classify(&e, &url, &track));
    }
    let own = match url.split_once("://") {
        Some(("git", _)) => Some(super::wire::fetch as OwnFetch),
        Some(("http" | "https", _)) => Some(super::http::fetch as OwnFetch),
        _ => None,
    };
    if let Some(fetch_with) = own
        && let Some(res) = fetch_with(repo, &url, branch, &remote_ref, progress)
    {
        return res;
    }
    certificates_for(&url)?;
    apply_network_timeouts();
    let res = {
        let cb = callbacks(&cfg, &track, progress);
        let mut fo = FetchOptions::new();
        fo.remote_callbacks(cb);
        let spec = format!("+refs/heads/{branch}:refs/remotes/{name}/{branch}");
        remote.fetch(&[spec.as_str()], Some(&mut fo), Some("overleg sync: fetch"))
    };
    res.map_err(|e| classify(&e, &url, &track))
}

/// A fetch over a connection of our own: `wire::fetch` or `http::fetch`.
type OwnFetch = fn(
    &Repository,
    &str,
    &str,
    &str,
    &RefCell<&mut dyn FnMut(&Event)>,
) -> Option<Result<(), SyncError>>;

/// Asked right before anything is sent: whether the sync's checks of the work tree found it
/// fit (they run on while the pack is built and the connection opened). An error stops the
/// push with nothing sent.
pub(crate) type Settled<'a> = dyn FnMut() -> Result<(), SyncError> + 'a;

/// A push over a connection of our own: `wire::push` or `http::push`.
type OwnPush = fn(
    &Repository,
    &str,
    &super::own_push::Update<'_>,
    &RefCell<&mut dyn FnMut(&Event)>,
    &mut Settled<'_>,
) -> Option<Result<Pushed, SyncError>>;

/// How a push ended.
pub(crate) enum Pushed {
    Done,
    /// The server has commits we lack: fetch, merge and try again.
    Behind,
}

/// Push the local reference `local` to the server's `branch`, which this sync found at
/// `expected`. Checks both the error and the per-reference status the server sends (a smart
/// server reports refusals there, with `Ok(())`).
pub(crate) fn push(
    repo: &Repository,
    remote: &mut Remote<'_>,
    local: &str,
    branch: &str,
    expected: Option<git2::Oid>,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
    settled: &mut Settled<'_>,
) -> Result<Pushed, SyncError> {
    let cfg = repo.config()?;
    let track = AuthTrack::default();
    let url = push_url(remote);
    if let Some(server) = super::folder::bare_folder(&url) {
        let target = repo.refname_to_id(local)?;
        settled()?;
        if let Some(res) = super::folder::push(repo, &server, target, branch, expected, progress) {
            return res.map_err(|e| classify(&e, &url, &track));
        }
    }
    // our own push with a thin pack where we open the connection; `None`: libgit2's
    let own = match url.split_once("://") {
        Some(("git", _)) => Some(super::wire::push as OwnPush),
        Some(("http" | "https", _)) => Some(super::http::push as OwnPush),
        _ => None,
    };
    if let Some(push_with) = own {
        let update = super::own_push::Update {
            refname: &format!("refs/heads/{branch}"),
            target: repo.refname_to_id(local)?,
            expected,
        };
        if let Some(res) = push_with(repo, &url, &update, progress, settled) {
            return res;
        }
    }
    settled()?;
    let rejected: RefCell<Vec<(String, String)>> = RefCell::new(Vec::new());
    certificates_for(&url)?;
    let res = {
        let mut cb = callbacks(&cfg, &track, progress);
        cb.push_update_reference(|refname, status| {
            if let Some(msg) = status {
                rejected
                    .borrow_mut()
                    .push((crate::text::line(refname), crate::text::line(msg)));
            }
            Ok(())
        });
        apply_network_timeouts();
        let mut po = PushOptions::new();
        po.remote_callbacks(cb);
        // the pack of a push searches deltas for the megabyte trees of large folders: on
        // every core (libgit2 uses one unless told)
        po.packbuilder_parallelism(0);
        let spec = format!("{local}:refs/heads/{branch}");
        remote.push(&[spec.as_str()], Some(&mut po))
    };
    match res {
        // Behind, or the server's branch moved while we pushed (a push race).
        Err(e)
            if matches!(
                e.code(),
                ErrorCode::NotFastForward | ErrorCode::Locked | ErrorCode::Modified
            ) =>
        {
            return Ok(Pushed::Behind);
        }
        Err(e) => return Err(classify(&e, &url, &track)),
        Ok(()) => {}
    }
    let rejected = rejected.into_inner();
    if rejected.is_empty() {
        return Ok(Pushed::Done);
    }
    if rejected.iter().all(|(_, m)| behind(m)) {
        return Ok(Pushed::Behind);
    }
    let (r, m) = &rejected[0];
    Err(SyncError::Rejected {
        reference: r.clone(),
        reason: m.clone(),
    })
}

/// How a push ends before anything is sent, from where the server's branch is (`now`) and
/// where the merge found it (`expected`): behind when it moved or `target` would drop commits
/// of the server's, done when it is at `target` already; `None`: send.
pub(crate) fn settled_before_sending(
    repo: &Repository,
    now: Option<git2::Oid>,
    expected: Option<git2::Oid>,
    target: git2::Oid,
) -> Result<Option<Pushed>, git2::Error> {
    if now != expected {
        return Ok(Some(Pushed::Behind));
    }
    if now == Some(target) {
        return Ok(Some(Pushed::Done));
    }
    // never a push that would drop the server's commits (libgit2 calls it not fast-forward)
    match now {
        Some(old) if !repo.graph_descendant_of(target, old)? => Ok(Some(Pushed::Behind)),
        _ => Ok(None),
    }
}

/// Whether the server refused a reference because it moved on (fetch, merge and push again)
/// rather than for a rule of its own.
pub(crate) fn behind(reason: &str) -> bool {
    let m = reason.to_lowercase();
    m.contains("non-fast-forward")
        || m.contains("fetch first")
        || m.contains("stale")
        || m.contains("lock")
        || m.contains("failed to update ref")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_never_show_passwords() {
        assert_eq!(
            safe_url("https://jan:geheim@git.example.org/nds.git"),
            "https://git.example.org/nds.git"
        );
        assert_eq!(safe_url("ssh://git@host:22/x.git"), "ssh://host:22/x.git");
        assert_eq!(safe_url("/srv/git/nds.git"), "/srv/git/nds.git");
    }
}
