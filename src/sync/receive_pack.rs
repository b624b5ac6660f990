//! A push spoken to git's `receive-pack` directly: the server's references, one update
//! command, our own pack (`store::thin_pack`), and the server's report. The connection is
//! `wire`'s (`git://`) or `http`'s (smart HTTP); over ssh libgit2 pushes.
//!
//! Why not libgit2: its pack carries every changed folder's tree whole (1.2 MB for one
//! changed record at 100,000 records) and the versions of files the server already has.

use std::io::{self, Read};

use git2::Oid;

/// Pack-line lengths are four hex digits; the largest git accepts.
const MAX_PKT: usize = 65520;

/// One pkt-line's payload; `None` for a flush packet (`0000`).
pub(crate) fn read_pkt(r: &mut (impl Read + ?Sized)) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let text = std::str::from_utf8(&len).map_err(|_| bad("a line length that is not text"))?;
    let n = usize::from_str_radix(text, 16).map_err(|_| bad("a line length that is not hex"))?;
    match n {
        0 => Ok(None),
        1..=3 => Err(bad("a line length under four")),
        _ if n > MAX_PKT => Err(bad("a line longer than git allows")),
        _ => {
            let mut data = vec![0u8; n - 4];
            r.read_exact(&mut data)?;
            Ok(Some(data))
        }
    }
}

pub(crate) fn pkt(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(format!("{:04x}", data.len() + 4).as_bytes());
    out.extend_from_slice(data);
}

fn bad(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the server's answer was not git's protocol: {what}"),
    )
}

/// What the server said it has and can do.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Advertised {
    pub refs: Vec<(String, Oid)>,
    pub caps: Vec<String>,
}

impl Advertised {
    pub(crate) fn has(&self, cap: &str) -> bool {
        self.caps
            .iter()
            .any(|c| c == cap || c.strip_prefix(cap).is_some_and(|r| r.starts_with('=')))
    }

    /// Whether the repository's objects are named by SHA-1 (what this speaks), not SHA-256.
    pub(crate) fn sha1(&self) -> bool {
        self.caps
            .iter()
            .all(|c| c.strip_prefix("object-format=").is_none_or(|f| f == "sha1"))
    }

    pub(crate) fn get(&self, refname: &str) -> Option<Oid> {
        self.refs
            .iter()
            .find(|(n, _)| n == refname)
            .map(|(_, id)| *id)
    }
}

/// The reference advertisement that opens a `receive-pack` conversation.
pub(crate) fn read_advertisement(r: &mut impl Read) -> io::Result<Advertised> {
    let mut adv = Advertised::default();
    let mut first = true;
    while let Some(line) = read_pkt(r)? {
        let line = line.strip_suffix(b"\n").unwrap_or(&line);
        let (main, caps) = match line.iter().position(|b| *b == 0) {
            Some(i) => (&line[..i], Some(&line[i + 1..])),
            None => (line, None),
        };
        if first && let Some(caps) = caps {
            adv.caps = String::from_utf8_lossy(caps)
                .split(' ')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
        }
        first = false;
        let main = std::str::from_utf8(main).map_err(|_| bad("a reference that is not text"))?;
        if let Some(why) = main.strip_prefix("ERR ") {
            // `git daemon` says so when it does not take pushes, or has no such repository
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                crate::text::line(why),
            ));
        }
        if main.starts_with("shallow ") || main == "version 1" {
            continue;
        }
        let (id, name) = main
            .split_once(' ')
            .ok_or_else(|| bad("a reference line without a name"))?;
        let id = Oid::from_str(id).map_err(|_| bad("a reference id that is not one"))?;
        // an empty repository advertises only its capabilities, on a zero id
        if name != "capabilities^{}" {
            adv.refs.push((name.to_string(), id));
        }
    }
    Ok(adv)
}

/// How the server answered the update.
#[derive(Debug, PartialEq)]
pub(crate) enum Report {
    Updated,
    /// The server refused the reference, for this reason.
    Refused(String),
    /// The server could not take the pack in.
    Unpack(String),
}

/// The update of `refname` from `old` (`None`: a new reference) to `new` with `pack`, as the
/// server reads it: one command, a flush, the pack.
pub(crate) fn request(
    adv: &Advertised,
    refname: &str,
    old: Option<Oid>,
    new: Oid,
    pack: &[u8],
) -> Vec<u8> {
    let mut caps = String::from("report-status");
    if adv.has("side-band-64k") {
        caps.push_str(" side-band-64k");
    }
    caps.push_str(concat!(" agent=overleg/", env!("CARGO_PKG_VERSION")));
    let old = old.unwrap_or(Oid::ZERO_SHA1);
    let mut out = Vec::with_capacity(pack.len() + 256);
    pkt(
        &mut out,
        format!("{old} {new} {refname}\0{caps}\n").as_bytes(),
    );
    out.extend_from_slice(b"0000");
    out.extend_from_slice(pack);
    out
}

/// The server's answer to [`request`]; `text` gets what the server says on the way (its
/// hooks' messages, its progress), raw.
pub(crate) fn read_report(
    r: &mut impl Read,
    adv: &Advertised,
    refname: &str,
    text: &mut dyn FnMut(&[u8]),
) -> io::Result<Report> {
    let report = if adv.has("side-band-64k") {
        let mut data = Vec::new();
        while let Some(line) = read_pkt(r)? {
            match line.split_first() {
                Some((1, rest)) => data.extend_from_slice(rest),
                Some((2, rest)) => text(rest),
                Some((3, rest)) => {
                    return Ok(Report::Unpack(crate::text::line(&String::from_utf8_lossy(
                        rest,
                    ))));
                }
                _ => return Err(bad("a side-band line of no band")),
            }
        }
        data
    } else {
        let mut data = Vec::new();
        r.read_to_end(&mut data)?;
        data
    };
    parse_report(&report, refname)
}

/// The report-status lines: `unpack ok`, then `ok <ref>` or `ng <ref> <reason>`.
fn parse_report(mut data: &[u8], refname: &str) -> io::Result<Report> {
    let mut unpacked = None;
    let mut result = None;
    while !data.is_empty() {
        let Some(line) = read_pkt(&mut data)? else {
            break;
        };
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches('\n');
        if let Some(u) = line.strip_prefix("unpack ") {
            unpacked = Some(u.to_string());
        } else if line.strip_prefix("ok ") == Some(refname) {
            result = Some(Report::Updated);
        } else if let Some(rest) = line.strip_prefix("ng ")
            && let Some(reason) = rest.strip_prefix(refname)
        {
            result = Some(Report::Refused(crate::text::line(reason.trim())));
        }
    }
    match (unpacked.as_deref(), result) {
        (Some("ok"), Some(r)) => Ok(r),
        (Some(u), _) if u != "ok" => Ok(Report::Unpack(crate::text::line(u))),
        _ => Err(bad("no report on the update")),
    }
}

#[cfg(test)]
#[path = "receive_pack_tests.rs"]
mod tests;
