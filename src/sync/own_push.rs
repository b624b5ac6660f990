//! The steps of our own push once the server's references are known, whatever the connection
//! (`wire` for `git://`, `http` for smart HTTP): is there anything to send, the
//! thin pack, the update, and what the server's report means for the sync. And what both
//! connections share: the address, the connection with the sync's time limits, its failures.

use std::cell::RefCell;
use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use git2::{Oid, Repository};

use super::receive_pack::{Advertised, Report, request};
use super::remote::{
    Pushed, Settled, Sideband, behind, broke_off, did_not_answer, emit, network_timeout_secs,
    safe_url, settled_before_sending,
};
use super::{Event, SyncError};
use crate::store::thin_pack;

/// What a push asks of the server: `refname` moved to `target`, provided it is still at
/// `expected` (what the merge was made against; `None`: no such branch yet).
pub(crate) struct Update<'a> {
    pub refname: &'a str,
    pub target: Oid,
    pub expected: Option<Oid>,
}

/// Push `update`. `connect` opens the connection and reads the server's references;
/// it runs beside the building of the thin pack, which needs only `expected` (a server that
/// moved on is told apart from the advertisement before anything is sent). `deliver` sends
/// the update (bytes of [`request`]) over that connection and reads the server's report,
/// passing the server's messages on; `settled` is asked right before. `Ok(None)` from either,
/// or `None` here: libgit2's push should do it instead.
pub(crate) fn push<C: Send>(
    repo: &Repository,
    update: &Update<'_>,
    progress: &RefCell<&mut dyn FnMut(&Event)>,
    settled: &mut Settled<'_>,
    connect: impl FnOnce() -> Result<Option<(C, Advertised)>, SyncError> + Send,
    deliver: impl FnOnce(
        C,
        &Advertised,
        &[u8],
        &mut dyn FnMut(&[u8]),
    ) -> Result<Option<Report>, SyncError>,
) -> Option<Result<Pushed, SyncError>> {
    let Update {
        refname,
        target,
        expected,
    } = *update;
    let t = std::time::Instant::now();
    let (connected, pack) = std::thread::scope(|scope| {
        let connecting = scope.spawn(connect);
        let pack = thin_pack::build(repo, target, expected);
        let connected = connecting.join().unwrap_or_else(|_| {
            Err(SyncError::Other(
                "the connection to the server stopped unexpectedly; nothing was pushed".into(),
            ))
        });
        (connected, pack)
    });
    let (conn, adv) = match connected {
        Ok(Some(c)) => c,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    if !adv.has("report-status") || !adv.sha1() {
        return None;
    }
    let now = adv.get(refname);
    // `now != expected` is a server that moved on: the pack is built against `expected` only
    match settled_before_sending(repo, now, expected, target) {
        Ok(Some(p)) => return Some(Ok(p)),
        Ok(None) => {}
        Err(e) => return Some(Err(e.into())),
    }
    let pack = match pack {
        Ok(Some(p)) => p,
        Ok(None) => return None,
        Err(e) => return Some(Err(e.into())),
    };
    if std::env::var_os("OVERLEG_TIMING").is_some() {
        eprintln!(
            "push: pack of {} objects ({} bytes) built and connected in {:?}",
            pack.objects,
            pack.bytes.len(),
            t.elapsed()
        );
    }
    if let Err(e) = settled() {
        return Some(Err(e));
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
        let body = request(&adv, refname, now, target, &pack.bytes);
        deliver(conn, &adv, &body, &mut |b| said.feed(b))
    };
    match report {
        Err(e) => Some(Err(e)),
        Ok(None) => None,
        Ok(Some(Report::Updated)) => {
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
        Ok(Some(Report::Refused(reason))) if behind(&reason) => Some(Ok(Pushed::Behind)),
        // The server found the pack short of objects or could not take it in: libgit2's push
        // sends more (whole trees, files the server has), so it gets to try.
        Ok(Some(Report::Refused(reason))) if reason.contains("missing necessary objects") => None,
        Ok(Some(Report::Unpack(_))) => None,
        Ok(Some(Report::Refused(reason))) => Some(Err(SyncError::Rejected {
            reference: refname.to_string(),
            reason,
        })),
    }
}

/// The host and port of a URL's `host[:port]` (an IPv6 address in brackets); `default` when
/// it names no port.
pub(crate) fn host_and_port(hostport: &str, default: u16) -> Option<(&str, u16)> {
    match hostport.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            match after.strip_prefix(':') {
                Some(p) => Some((host, p.parse().ok()?)),
                None if after.is_empty() => Some((host, default)),
                None => None,
            }
        }
        None => match hostport.rsplit_once(':') {
            Some((h, p)) => Some((h, p.parse().ok()?)),
            None => Some((hostport, default)),
        },
    }
}

/// A connection to `host`, with the sync's time limits.
pub(crate) fn connect_tcp(host: &str, port: u16) -> io::Result<TcpStream> {
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

/// What went wrong on a connection, for the user.
pub(crate) fn unreachable(url: &str, e: &io::Error) -> SyncError {
    let detail = match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => did_not_answer(),
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe => broke_off(&e.to_string()),
        _ => crate::text::line(&e.to_string()),
    };
    SyncError::Unreachable {
        url: safe_url(url),
        detail,
    }
}
