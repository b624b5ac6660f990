//! Fetch from and push to a smart-HTTP server (`git http-backend`, GitLab, Gitea, …)
//! ourselves: the references from `info/refs`, then one POST of the request (`upload_pack`)
//! or of the update and our pack (`receive_pack`), over plain
//! HTTP/1.1 on a connection opened here (TLS through the OpenSSL libgit2 links, trusting the
//! certificates a sync trusts). Basic authentication from the URL or the user's git
//! credential helper, as libgit2 does. What this does not do is left to libgit2's push:
//! `http.sslVerify false`, extra headers or cookies from git's settings, a redirect, an
//! authentication other than Basic (libgit2 speaks NTLM and Negotiate), a server that is not
//! smart, one that refuses the request before reading it, or a pack to fetch larger than the
//! client holds (64 MB).

use std::cell::RefCell;

use git2::Repository;

use super::http_client::{Failed, HttpUrl, base64, parse_http_url, send};
use super::own_fetch;
use super::own_push::{Update, unreachable};
use super::receive_pack::{Advertised, read_advertisement, read_pkt, read_report};
use super::remote::{CREDENTIALS_REFUSED, NO_CREDENTIALS, Pushed, Settled, safe_url};
use super::{Event, SyncError};

/// Settings of git's that ask for more than this speaks: then libgit2 pushes. (Proxies are
/// not among them: overleg sets libgit2 up without one, so both connect directly.)
fn needs_libgit2(cfg: &git2::Config) -> bool {
    let set = |name: &str| cfg.get_entry(name).is_ok();
    set("http.extraHeader")
        || set("http.cookieFile")
        || cfg.get_bool("http.sslVerify").is_ok_and(|v| !v)
}

/// The server's references, from `info/refs`, with the authorization that got them (`Ok(None)`:
/// the server wants what this does not do). `git_dir`: the repository whose settings name the
/// credential helper (opened here, on the thread that asks, only if the server wants a login).
fn advertisement(
    u: &HttpUrl,
    url: &str,
    git_dir: &std::path::Path,
    service: &str,
) -> Result<Option<(Option<String>, Advertised)>, SyncError> {
    let target = format!("{}/info/refs?service={service}", u.path);
    let mut auth = match (&u.user, &u.password) {
        (Some(n), Some(p)) => Some(base64(format!("{n}:{p}").as_bytes())),
        _ => None,
    };
    let mut asked = false;
    loop {
        let answer = match send(u, "GET", &target, auth.as_deref(), &[], &[]) {
            Ok(a) => a,
            Err(f) => return Err(failed(url, f)),
        };
        match answer.status {
            200 => {}
            401 => {
                let basic = answer
                    .headers
                    .iter()
                    .filter(|(n, _)| n == "www-authenticate")
                    .any(|(_, v)| v.to_ascii_lowercase().starts_with("basic"));
                if !basic {
                    return Ok(None);
                }
                if asked || (auth.is_some() && u.password.is_some()) {
                    return Err(SyncError::Auth {
                        url: safe_url(url),
                        detail: CREDENTIALS_REFUSED.into(),
                    });
                }
                asked = true;
                let cfg = Repository::open(git_dir).and_then(|r| r.config())?;
                let found = git2::CredentialHelper::new(url)
                    .config(&cfg)
                    .username(u.user.as_deref())
                    .execute();
                match found {
                    Some((n, p)) => auth = Some(base64(format!("{n}:{p}").as_bytes())),
                    None => {
                        return Err(SyncError::Auth {
                            url: safe_url(url),
                            detail: NO_CREDENTIALS.into(),
                        });
                    }
                }
                continue;
            }
            _ => return Ok(None),
        }
        let smart = answer
            .header("content-type")
            .is_some_and(|t| t.starts_with(&format!("application/x-{service}-advertisement")));
        if !smart {
            return Ok(None);
        }
        // `# service=git-receive-pack`, a flush, then the references
        let mut body = &answer.body[..];
        let opening = read_pkt(&mut body).map_err(|e| failed(url, Failed::Io(e)))?;
        if opening.as_deref() != Some(format!("# service={service}\n").as_bytes()) {
            return Ok(None);
        }
        if read_pkt(&mut body)
            .map_err(|e| failed(url, Failed::Io(e)))?
            .is_some()
        {
            return Ok(None);
        }
        let adv = read_advertisement(&mut body).map_err(|e| failed(url, Failed::Io(e)))?;
        return Ok(Some((auth, adv)));
    }
}

/// The server's address, if this is a conversation we hold ourselves; `None`: libgit2's.
fn ours_to_speak(repo: &Repository, url: &str) -> Option<Result<HttpUrl, SyncError>> {
    let u = parse_http_url(url)?;
    match repo.config() {
        Ok(cfg) if needs_libgit2(&cfg) => None,
        Ok(_) => Some(Ok(u)),
        Err(e) => Some(Err(e.into())),
    }
}

fn failed(url: &str, f: Failed) -> SyncError {
    match f {
        Failed::Certificate(why) => SyncError::Unreachable {
            url: safe_url(url),
            detail: why,
        },
        Failed::Io(e) => unreachable(url, &e),
    }
}

/// Fetch `branch` from `url` into `remote_ref`. `None`: libgit2 should.
pub(crate) fn fetch(
    repo: &Repository,
    url: &str,
    branch: &str,
    remote_ref: &str,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
) -> Option<Result<(), SyncError>> {
    let u = match ours_to_speak(repo, url)? {
        Ok(u) => u,
        Err(e) => return Some(Err(e)),
    };
    let (auth, adv) = match advertisement(&u, url, repo.path(), "git-upload-pack") {
        Ok(Some(found)) => found,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    own_fetch::fetch(
        repo,
        url,
        &adv,
        &format!("refs/heads/{branch}"),
        remote_ref,
        progress,
        |request| {
            let Some(body) = request else {
                return Ok(None); // nothing to ask: each request has its own connection
            };
            let answer = match send(
                &u,
                "POST",
                &format!("{}/git-upload-pack", u.path),
                auth.as_deref(),
                &[
                    ("Content-Type", "application/x-git-upload-pack-request"),
                    ("Accept", "application/x-git-upload-pack-result"),
                ],
                body,
            ) {
                Ok(a) => a,
                // an answer too large to hold, or not HTTP: libgit2 streams it
                Err(Failed::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                    return Ok(None);
                }
                Err(f) => return Err(failed(url, f)),
            };
            if answer.status != 200 {
                return Ok(None);
            }
            Ok(Some(
                Box::new(std::io::Cursor::new(answer.body)) as Box<dyn std::io::Read>
            ))
        },
    )
}

/// Push `update` to the server at `url`. `None`: libgit2 should.
pub(crate) fn push(
    repo: &Repository,
    url: &str,
    update: &Update<'_>,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
    settled: &mut Settled<'_>,
) -> Option<Result<Pushed, SyncError>> {
    let u = match ours_to_speak(repo, url)? {
        Ok(u) => u,
        Err(e) => return Some(Err(e)),
    };
    let refname = update.refname;
    let git_dir = repo.path();
    super::own_push::push(
        repo,
        update,
        progress,
        settled,
        || advertisement(&u, url, git_dir, "git-receive-pack"),
        |auth, adv, body, text| {
            let answer = send(
                &u,
                "POST",
                &format!("{}/git-receive-pack", u.path),
                auth.as_deref(),
                &[
                    ("Content-Type", "application/x-git-receive-pack-request"),
                    ("Accept", "application/x-git-receive-pack-result"),
                ],
                body,
            )
            .map_err(|f| failed(url, f))?;
            if answer.status != 200 {
                // refused before it was read (a size limit, a gateway): libgit2 tries and says
                return Ok(None);
            }
            read_report(&mut &answer.body[..], adv, refname, text)
                .map(Some)
                .map_err(|e| failed(url, Failed::Io(e)))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_this_does_not_speak_go_to_libgit2() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("config");
        for (text, libgit2) in [
            ("[http]\n\tpostBuffer = 1\n", false),
            ("[http]\n\tsslVerify = true\n", false),
            ("[http]\n\tsslVerify = false\n", true),
            ("[http]\n\textraHeader = X-Token: 1\n", true),
            ("[http]\n\tcookieFile = /tmp/c\n", true),
        ] {
            std::fs::write(&path, text).expect("config");
            let cfg = git2::Config::open(&path).expect("open");
            assert_eq!(needs_libgit2(&cfg), libgit2, "{text}");
        }
    }
}
