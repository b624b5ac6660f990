//! Fetch from and push to a `git://` server (`git daemon`) ourselves: the conversations of
//! `upload_pack` and `receive_pack`, over a connection opened here with the sync's time
//! limits (and without Nagle's delay, which held libgit2's last negotiation line back 40 ms).
//! Anything this cannot do (an unusual address, a server without `report-status` or
//! side-band, a repository of another hash) is left to libgit2.

use std::cell::RefCell;
use std::io;
use std::net::TcpStream;

use git2::Repository;

use super::own_fetch;
use super::own_push::{Update, connect_tcp, host_and_port, unreachable};
use super::receive_pack::{Advertised, pkt, read_advertisement, read_report};
use super::remote::{Pushed, Settled};
use super::{Event, SyncError};

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
    let (host, port) = host_and_port(authority, GIT_PORT)?;
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

/// A connection to `service` (`git-upload-pack` or `git-receive-pack`) of the repository at
/// `server`, and the references it advertised.
fn open(server: &GitUrl, service: &str) -> io::Result<(TcpStream, Advertised)> {
    let mut stream = connect_tcp(&server.host, server.port)?;
    let mut request = Vec::new();
    pkt(
        &mut request,
        format!("{service} {}\0host={}\0", server.path, server.authority).as_bytes(),
    );
    io::Write::write_all(&mut stream, &request)?;
    let adv = read_advertisement(&mut stream)?;
    Ok((stream, adv))
}

/// Fetch `branch` from `url` into `remote_ref`. `None`: libgit2 should.
pub(crate) fn fetch(
    repo: &Repository,
    url: &str,
    branch: &str,
    remote_ref: &str,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
) -> Option<Result<(), SyncError>> {
    let server = parse_git_url(url)?;
    let (mut stream, adv) = match open(&server, "git-upload-pack") {
        Ok(c) => c,
        // `git daemon` refusing (not exported, no such repository): libgit2 says it as before
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => return None,
        Err(e) => return Some(Err(unreachable(url, &e))),
    };
    own_fetch::fetch(
        repo,
        url,
        &adv,
        &format!("refs/heads/{branch}"),
        remote_ref,
        progress,
        |request| {
            let sent = match request {
                Some(body) => io::Write::write_all(&mut stream, body),
                // nothing to fetch: end the conversation as git does, with a flush
                None => io::Write::write_all(&mut stream, b"0000"),
            };
            sent.map(|()| Some(Box::new(stream) as Box<dyn io::Read>))
                .map_err(|e| unreachable(url, &e))
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
    let server = parse_git_url(url)?;
    let refname = update.refname;
    let failure = |e: io::Error| {
        if e.kind() == io::ErrorKind::PermissionDenied {
            SyncError::Rejected {
                reference: refname.to_string(),
                reason: format!(
                    "it does not take this push ({e}); ask whoever runs the server to allow it"
                ),
            }
        } else {
            unreachable(url, &e)
        }
    };
    let connect = || open(&server, "git-receive-pack").map(Some).map_err(failure);
    super::own_push::push(
        repo,
        update,
        progress,
        settled,
        connect,
        |mut stream, adv, body, text| {
            io::Write::write_all(&mut stream, body)
                .and_then(|()| io::Write::flush(&mut stream))
                .and_then(|()| read_report(&mut stream, adv, refname, text))
                .map(Some)
                .map_err(failure)
        },
    )
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
