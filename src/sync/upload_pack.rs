//! A fetch spoken to git's `upload-pack` directly (protocol version 0): one `want`, the
//! commits we have, `done`, and the pack the server makes, in one round, as over smart HTTP.
//! The connection is `wire`'s (`git://`) or `http`'s (smart HTTP); over ssh libgit2 fetches.
//!
//! Why not libgit2: it took in a thin pack of 1,000 changed records in 90 ms, adding each
//! base from here with a pass over the whole pack file (`store::received_pack` does it in
//! one), and its last negotiation line waited 40 ms on Nagle's algorithm.

use std::io::{self, Read};

use git2::Oid;

use super::receive_pack::{Advertised, pkt, read_pkt};

/// The request for `want` from a server that advertised `adv`, saying we have `haves`.
/// `None` when the server cannot send the pack on a side band (needed to tell its messages
/// from the pack) or uses another hash.
pub(crate) fn request(adv: &Advertised, want: Oid, haves: &[Oid]) -> Option<Vec<u8>> {
    if !adv.has("side-band-64k") || !adv.sha1() {
        return None;
    }
    let mut caps = String::from("side-band-64k");
    for cap in ["ofs-delta", "thin-pack"] {
        if adv.has(cap) {
            caps.push(' ');
            caps.push_str(cap);
        }
    }
    caps.push_str(concat!(" agent=overleg/", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::with_capacity(64 * (haves.len() + 2));
    pkt(&mut out, format!("want {want} {caps}\n").as_bytes());
    out.extend_from_slice(b"0000");
    for h in haves {
        pkt(&mut out, format!("have {h}\n").as_bytes());
    }
    pkt(&mut out, b"done\n");
    Some(out)
}

/// What the server said went wrong (an `ERR` line, or band 3), made safe to show: told apart
/// from a connection or protocol failure, which libgit2's fetch gets to try again.
#[derive(Debug)]
pub(crate) struct ServerSaid(pub String);

impl std::fmt::Display for ServerSaid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServerSaid {}

fn server_said(words: &[u8]) -> io::Error {
    io::Error::other(ServerSaid(crate::text::line(&String::from_utf8_lossy(
        words,
    ))))
}

/// The server's words, if that is what `e` is.
pub(crate) fn said(e: &io::Error) -> Option<&str> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<ServerSaid>())
        .map(|s| s.0.as_str())
}

fn bad(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("the server's answer was not git's protocol: {what}"),
    )
}

/// The server's answer to [`request`]: its acknowledgements, then the pack on band 1 (passed
/// to `pack` as it comes), its messages on band 2 (to `text`, raw), an error on band 3.
pub(crate) fn read_answer(
    r: &mut dyn Read,
    text: &mut dyn FnMut(&[u8]),
    pack: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut started = false;
    while let Some(line) = read_pkt(r)? {
        if !started && (line.starts_with(b"NAK") || line.starts_with(b"ACK ")) {
            continue;
        }
        if let Some(why) = line.strip_prefix(b"ERR ") {
            return Err(server_said(why));
        }
        match line.split_first() {
            Some((1, rest)) => {
                started = true;
                pack(rest)?;
            }
            Some((2, rest)) => text(rest),
            Some((3, rest)) => return Err(server_said(rest)),
            _ => return Err(bad("a side-band line of no band")),
        }
    }
    if started { Ok(()) } else { Err(bad("no pack")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adv(caps: &str) -> Advertised {
        Advertised {
            refs: Vec::new(),
            caps: caps.split(' ').map(str::to_string).collect(),
        }
    }

    #[test]
    fn the_request_asks_only_for_what_the_server_offers() {
        let want = Oid::from_str("1111111111111111111111111111111111111111").expect("id");
        let have = Oid::from_str("2222222222222222222222222222222222222222").expect("id");
        let req = request(
            &adv("multi_ack side-band-64k thin-pack ofs-delta"),
            want,
            &[have],
        )
        .expect("a request");
        let text = String::from_utf8(req).expect("text");
        assert!(text[4..].starts_with(&format!(
            "want {want} side-band-64k ofs-delta thin-pack agent=overleg/"
        )));
        assert!(text.ends_with(&format!("\n00000032have {have}\n0009done\n")));
        let plain = request(&adv("side-band-64k"), want, &[]).expect("a request");
        assert!(!String::from_utf8_lossy(&plain).contains("thin-pack"));
        assert_eq!(request(&adv("side-band thin-pack"), want, &[]), None);
        assert_eq!(
            request(&adv("side-band-64k object-format=sha256"), want, &[]),
            None
        );
    }

    #[test]
    fn the_answer_is_told_apart_by_band() {
        let mut answer = Vec::new();
        pkt(&mut answer, b"NAK\n");
        pkt(&mut answer, b"\x02Counting objects: 3\r");
        pkt(&mut answer, b"\x01PACK");
        pkt(&mut answer, b"\x01rest");
        answer.extend_from_slice(b"0000");
        let (mut said, mut got) = (Vec::new(), Vec::new());
        read_answer(
            &mut &answer[..],
            &mut |t| said.extend_from_slice(t),
            &mut |p| {
                got.extend_from_slice(p);
                Ok(())
            },
        )
        .expect("read");
        assert_eq!(got, b"PACKrest");
        assert_eq!(said, b"Counting objects: 3\r");

        for (line, says) in [
            (&b"\x03fatal: out of memory"[..], "fatal: out of memory"),
            (b"ERR upload-pack: not our ref", "not our ref"),
            (b"\x07what", "no band"),
        ] {
            let mut answer = Vec::new();
            pkt(&mut answer, line);
            let e =
                read_answer(&mut &answer[..], &mut |_| {}, &mut |_| Ok(())).expect_err("an error");
            assert!(e.to_string().contains(says), "{e}");
        }
        // the connection ending early is an error, not an empty pack
        let e = read_answer(&mut &b"0008NAK\n"[..], &mut |_| {}, &mut |_| Ok(()))
            .expect_err("an error");
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let e = read_answer(&mut &b"0008NAK\n0000"[..], &mut |_| {}, &mut |_| Ok(()))
            .expect_err("an error");
        assert!(e.to_string().contains("no pack"), "{e}");
    }
}
