use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use git2::{Oid, Repository};

use super::*;
use crate::store::test_git::git;

/// [`request`] sent over a connection, and the server's [`read_report`].
fn update(
    stream: &mut (impl Read + Write),
    adv: &Advertised,
    refname: &str,
    old: Option<Oid>,
    new: Oid,
    pack: &[u8],
    text: &mut dyn FnMut(&[u8]),
) -> io::Result<Report> {
    stream.write_all(&request(adv, refname, old, new, pack))?;
    stream.flush()?;
    read_report(stream, adv, refname, text)
}

/// git's own `receive-pack` on a bare repository, spoken to through its stdin and stdout:
/// the conversation a `git://` or ssh server holds.
struct ReceivePack {
    child: Child,
    to: ChildStdin,
    from: ChildStdout,
}

impl ReceivePack {
    fn start(server: &Path) -> ReceivePack {
        let mut child = Command::new("git")
            .arg("receive-pack")
            .arg(server)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("receive-pack");
        let to = child.stdin.take().expect("stdin");
        let from = child.stdout.take().expect("stdout");
        ReceivePack { child, to, from }
    }
}

impl Read for ReceivePack {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.from.read(buf)
    }
}

impl Write for ReceivePack {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.to.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.to.flush()
    }
}

impl Drop for ReceivePack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server with one commit, and a clone of it with one more.
fn world(root: &Path) -> (std::path::PathBuf, Repository, Oid, Oid) {
    git(root, &["init", "-q", "--bare", "-b", "main", "server.git"]);
    git(root, &["init", "-q", "-b", "main", "here"]);
    let here = root.join("here");
    std::fs::create_dir_all(here.join("actions")).expect("folder");
    for i in 0..50 {
        std::fs::write(
            here.join(format!("actions/a-{i}.toml")),
            format!("n = {i}\n"),
        )
        .expect("file");
    }
    git(&here, &["add", "-A"]);
    git(&here, &["commit", "-qm", "one"]);
    let server = root.join("server.git");
    git(
        &here,
        &["push", "-q", server.to_str().expect("utf-8"), "main"],
    );
    let old = Oid::from_str(git(&here, &["rev-parse", "HEAD"]).trim()).expect("id");
    std::fs::write(here.join("actions/a-7.toml"), "n = 70\n").expect("file");
    git(&here, &["commit", "-qam", "two"]);
    let new = Oid::from_str(git(&here, &["rev-parse", "HEAD"]).trim()).expect("id");
    (server, Repository::open(&here).expect("open"), old, new)
}

fn pack_for(repo: &Repository, new: Oid, old: Oid) -> Vec<u8> {
    crate::store::thin_pack::build(repo, new, Some(old))
        .expect("build")
        .expect("handled")
        .bytes
}

#[test]
fn a_push_to_gits_own_receive_pack_is_taken_and_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (server, repo, old, new) = world(tmp.path());
    let mut rp = ReceivePack::start(&server);
    let adv = read_advertisement(&mut rp).expect("advertisement");
    assert_eq!(adv.get("refs/heads/main"), Some(old));
    assert!(
        adv.has("report-status") && adv.has("side-band-64k"),
        "{adv:?}"
    );
    let mut said = Vec::new();
    let report = update(
        &mut rp,
        &adv,
        "refs/heads/main",
        Some(old),
        new,
        &pack_for(&repo, new, old),
        &mut |b| said.extend_from_slice(b),
    )
    .expect("update");
    assert_eq!(report, Report::Updated);
    assert_eq!(git(&server, &["rev-parse", "main"]).trim(), new.to_string());
    git(&server, &["fsck", "--strict", "--no-dangling"]);
}

#[test]
fn a_refusing_hook_and_a_moved_branch_are_reported_as_refusals() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (server, repo, old, new) = world(tmp.path());
    let pack = pack_for(&repo, new, old);
    // the branch is not where the command says: the server refuses, the branch stays
    let elsewhere = Oid::from_str("1111111111111111111111111111111111111111").expect("id");
    let mut rp = ReceivePack::start(&server);
    let adv = read_advertisement(&mut rp).expect("advertisement");
    let report = update(
        &mut rp,
        &adv,
        "refs/heads/main",
        Some(elsewhere),
        new,
        &pack,
        &mut |_| {},
    )
    .expect("update");
    match report {
        Report::Refused(reason) => assert!(crate::sync::remote::behind(&reason), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(git(&server, &["rev-parse", "main"]).trim(), old.to_string());

    let hook = server.join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().expect("hooks")).expect("hooks");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'Alleen via de secretaris' >&2\nexit 1\n",
    )
    .expect("hook");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut rp = ReceivePack::start(&server);
    let adv = read_advertisement(&mut rp).expect("advertisement");
    let mut said = Vec::new();
    let report = update(
        &mut rp,
        &adv,
        "refs/heads/main",
        Some(old),
        new,
        &pack,
        &mut |b| said.extend_from_slice(b),
    )
    .expect("update");
    match report {
        Report::Refused(reason) => {
            assert!(reason.contains("hook declined"), "{reason}");
            assert!(!crate::sync::remote::behind(&reason), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(String::from_utf8_lossy(&said).contains("Alleen via de secretaris"));
    assert_eq!(git(&server, &["rev-parse", "main"]).trim(), old.to_string());
}

#[test]
fn an_empty_repository_advertises_no_references() {
    let tmp = tempfile::tempdir().expect("tmp");
    git(tmp.path(), &["init", "-q", "--bare", "empty.git"]);
    let mut rp = ReceivePack::start(&tmp.path().join("empty.git"));
    let adv = read_advertisement(&mut rp).expect("advertisement");
    assert!(adv.refs.is_empty(), "{adv:?}");
    assert!(adv.has("report-status"));
}

#[test]
fn malformed_lines_are_errors_not_panics() {
    for bad in [&b"00"[..], b"zzzz", b"0002", b"ffff", b"0009abc", b"0010"] {
        let mut r = bad;
        assert!(read_pkt(&mut r).is_err(), "{bad:?}");
    }
    // a server's refusal is an error that says what the server said, and only that
    let mut line = Vec::new();
    pkt(&mut line, b"ERR service not enabled: /agenda.git\n");
    let e = read_advertisement(&mut &line[..]).expect_err("refused");
    assert!(e.to_string().contains("service not enabled"), "{e}");
    let mut r = &b"0000"[..];
    assert_eq!(read_pkt(&mut r).expect("flush"), None);
    // a reference line that is not one
    let mut line = Vec::new();
    pkt(&mut line, b"not-an-id refs/heads/main\0report-status\n");
    line.extend_from_slice(b"0000");
    assert!(read_advertisement(&mut &line[..]).is_err());
}

#[test]
fn reports_are_read_for_the_reference_pushed() {
    let report = |lines: &[&str]| {
        let mut data = Vec::new();
        for l in lines {
            pkt(&mut data, l.as_bytes());
        }
        data.extend_from_slice(b"0000");
        parse_report(&data, "refs/heads/main")
    };
    assert_eq!(
        report(&["unpack ok\n", "ok refs/heads/main\n"]).expect("ok"),
        Report::Updated
    );
    assert_eq!(
        report(&["unpack ok\n", "ng refs/heads/main fetch first\n"]).expect("ng"),
        Report::Refused("fetch first".into())
    );
    assert_eq!(
        report(&[
            "unpack index-pack abnormal exit\n",
            "ng refs/heads/main unpacker error\n"
        ])
        .expect("unpack"),
        Report::Unpack("index-pack abnormal exit".into())
    );
    // a report on another reference is no report on ours
    assert!(report(&["unpack ok\n", "ok refs/heads/other\n"]).is_err());
    // the server's text is made safe before it is shown
    match report(&["unpack ok\n", "ng refs/heads/main \u{1b}[31mnee\n"]).expect("ng") {
        Report::Refused(r) => assert!(!r.contains('\u{1b}'), "{r:?}"),
        other => panic!("{other:?}"),
    }
}

/// A pack short of objects (here: one built for a server that has a commit it lacks) is
/// refused in words `wire` knows, so that libgit2's push gets to try; the branch stays.
#[test]
fn a_pack_short_of_objects_is_refused_and_the_branch_stays() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (server, repo, old, new) = world(tmp.path());
    let here = tmp.path().join("here");
    std::fs::write(here.join("actions/a-8.toml"), "n = 80\n").expect("file");
    git(&here, &["commit", "-qam", "three"]);
    let third = Oid::from_str(git(&here, &["rev-parse", "HEAD"]).trim()).expect("id");
    // as if the server had `new`, which it has not
    let short = pack_for(&repo, third, new);
    let mut rp = ReceivePack::start(&server);
    let adv = read_advertisement(&mut rp).expect("advertisement");
    let report = update(
        &mut rp,
        &adv,
        "refs/heads/main",
        Some(old),
        third,
        &short,
        &mut |_| {},
    )
    .expect("update");
    match report {
        Report::Refused(reason) => {
            assert!(reason.contains("missing necessary objects"), "{reason}")
        }
        Report::Unpack(_) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(git(&server, &["rev-parse", "main"]).trim(), old.to_string());
}
