//! A push to a `git://` server (`git daemon`) with our own pack: the conversation of
//! `receive_pack`, over a connection opened here with the sync's time limits. Anything this
//! cannot do (an unusual address, a server without `report-status`, a repository of another
//! hash) is left to libgit2's push.

use std::cell::RefCell;
use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use git2::{Oid, Repository};

use super::receive_pack::{Report, pkt, read_advertisement, update};
use super::remote::{
    Pushed, Sideband, behind, emit, network_timeout_secs, safe_url, settled_before_sending,
};
use super::{Event, SyncError};
use crate::store::thin_pack;

/// The port `git daemon` listens on unless told otherwise.
const GIT_PORT: u16 = 9418;

/// Where a `git://` URL points: host, port and path, and its host part as written (which the
/// request names, as git's own client does).
#[derive(Debug, PartialEq)]
pub(crate) struct GitUrl {
    host: String,
    port: u16,
    path: String,
    authority: String,
}

/// A `git://` URL read; `None` for anything else.
pub(crate) fn parse_git_url(url: &str) -> Option<GitUrl> {
    let rest = url.strip_prefix("git://")?;
    let slash = rest.find('/')?;
    let (authority, path) = rest.split_at(slash);
    if authority.contains('@') || path.len() < 2 {
        return None;
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            match after.strip_prefix(':') {
                Some(p) => (host, p.parse().ok()?),
                None if after.is_empty() => (host, GIT_PORT),
                None => return None,
            }
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, GIT_PORT),
        },
    };
    if host.is_empty() {
        return None;
    }
    Some(GitUrl {
        host: host.to_string(),
        port,
        path: path.to_string(),
        authority: authority.to_string(),
    })
}

fn connect(host: &str, port: u16) -> io::Result<TcpStream> {
    let limit = Duration::from_secs(u64::from(network_timeout_secs()));
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the server's name has no address");
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, limit / 2) {
            Ok(s) => {
                s.set_read_timeout(Some(limit))?;
                s.set_write_timeout(Some(limit))?;
                s.set_nodelay(true)?;
                return Ok(s);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn unreachable(url: &str, e: &io::Error) -> SyncError {
    let detail = match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => format!(
            "the server did not answer within {} seconds",
            network_timeout_secs()
        ),
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe => {
            format!("the connection broke off during the transfer ({e}); nothing was changed here")
        }
        _ => crate::text::line(&e.to_string()),
    };
    SyncError::Unreachable {
        url: safe_url(url),
        detail,
    }
}

/// Push `target` to `branch` at `url`, provided the server's branch is still at `expected`
/// (what the merge was made against; `None`: no such branch yet). `None`: libgit2 should.
pub(crate) fn push(
    repo: &Repository,
    url: &str,
    target: Oid,
    branch: &str,
    expected: Option<Oid>,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
) -> Option<Result<Pushed, SyncError>> {
    let server = parse_git_url(url)?;
    let refname = format!("refs/heads/{branch}");
    let fail = |e: io::Error| {
        Some(Err(if e.kind() == io::ErrorKind::PermissionDenied {
            SyncError::Rejected {
                reference: refname.clone(),
                reason: format!(
                    "it does not take this push ({e}); ask whoever runs the server to allow it"
                ),
            }
        } else {
            unreachable(url, &e)
        }))
    };
    let mut stream = match connect(&server.host, server.port) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let mut request = Vec::new();
    pkt(
        &mut request,
        format!(
            "git-receive-pack {}\0host={}\0",
            server.path, server.authority
        )
        .as_bytes(),
    );
    if let Err(e) = io::Write::write_all(&mut stream, &request) {
        return fail(e);
    }
    let adv = match read_advertisement(&mut stream) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let sha1 = adv
        .caps
        .iter()
        .all(|c| c.strip_prefix("object-format=").is_none_or(|f| f == "sha1"));
    if !adv.has("report-status") || !sha1 {
        return None;
    }
    let now = adv.get(&refname);
    match settled_before_sending(repo, now, expected, target) {
        Ok(Some(p)) => return Some(Ok(p)),
        Ok(None) => {}
        Err(e) => return Some(Err(e.into())),
    }
    let t = std::time::Instant::now();
    let pack = match thin_pack::build(repo, target, now) {
        Ok(Some(p)) => p,
        Ok(None) => return None,
        Err(e) => return Some(Err(e.into())),
    };
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!(
            "push: pack of {} objects ({} bytes) built in {:?}",
            pack.objects,
            pack.bytes.len(),
            t.elapsed()
        );
    }
    emit(
        progress,
        &Event::Push {
            current: 0,
            total: pack.objects,
            bytes: 0,
        },
    );
    let report = {
        let mut said = Sideband::new(progress);
        update(
            &mut stream,
            &adv,
            &refname,
            now,
            target,
            &pack.bytes,
            &mut |b| said.feed(b),
        )
    };
    match report {
        Err(e) => fail(e),
        Ok(Report::Updated) => {
            emit(
                progress,
                &Event::Push {
                    current: pack.objects,
                    total: pack.objects,
                    bytes: pack.bytes.len(),
                },
            );
            Some(Ok(Pushed::Done))
        }
        Ok(Report::Refused(reason)) if behind(&reason) => Some(Ok(Pushed::Behind)),
        // The server found the pack short of objects or could not take it in: libgit2's push
        // sends more (whole trees, files the server has), so it gets to try.
        Ok(Report::Refused(reason)) if reason.contains("missing necessary objects") => None,
        Ok(Report::Unpack(_)) => None,
        Ok(Report::Refused(reason)) => Some(Err(SyncError::Rejected {
            reference: refname,
            reason,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::{GitUrl, parse_git_url};

    #[test]
    fn git_urls_are_read_as_git_reads_them() {
        let p = |u: &str| parse_git_url(u).map(|g: GitUrl| (g.host, g.port, g.path, g.authority));
        assert_eq!(
            p("git://127.0.0.1:9419/server.git"),
            Some((
                "127.0.0.1".into(),
                9419,
                "/server.git".into(),
                "127.0.0.1:9419".into()
            ))
        );
        assert_eq!(
            p("git://git.example.org/nds/agenda.git"),
            Some((
                "git.example.org".into(),
                9418,
                "/nds/agenda.git".into(),
                "git.example.org".into()
            ))
        );
        assert_eq!(
            p("git://[::1]:9000/a.git"),
            Some(("::1".into(), 9000, "/a.git".into(), "[::1]:9000".into()))
        );
        assert_eq!(
            p("git://[::1]/a.git"),
            Some(("::1".into(), 9418, "/a.git".into(), "[::1]".into()))
        );
        for not in [
            "https://x/a.git",
            "git://host",
            "git:///a.git",
            "git://host:port/a.git",
            "git://u@host/a.git",
            "git://host/",
        ] {
            assert_eq!(p(not), None, "{not}");
        }
    }
}
