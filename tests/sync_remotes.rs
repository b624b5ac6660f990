//! Sync between departments against real remotes on loopback: a bare repository path,
//! `git daemon` (git://) and smart HTTP (`git http-backend` behind a small HTTP/1.1 server in
//! this file, with basic authentication). Every test makes its own server and clones.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier, Once};
use std::time::{Duration, Instant};

use git2::{FileMode, Repository, Signature, build::TreeUpdateBuilder};
use overleg::model::edit::{FieldPath, set_value};
use overleg::store::write::Change;
use overleg::store::{Identity, Store};
use overleg::sync::merge::Take;
use overleg::sync::{self, SyncError, SyncOptions, SyncReport, conflicts};
use tempfile::TempDir;
use toml_edit::{DocumentMut, Value};

// ---------------------------------------------------------------------------------------------
// Isolation: libgit2 must not read the user's or the machine's git config.

static ISOLATE: Once = Once::new();

fn isolate() {
    ISOLATE.call_once(|| {
        let dir = std::env::temp_dir().join(format!("overleg-sync-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        for level in [
            git2::ConfigLevel::System,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::Global,
        ] {
            // SAFETY: called once, before any repository is opened by these tests.
            unsafe { git2::opts::set_search_path(level, &dir).expect("search path") };
        }
    });
}

/// Environment for `git` processes started by the tests (servers, credential helpers).
fn git_env(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
}

// ---------------------------------------------------------------------------------------------
// A server and clones

const ACTION: &str = "# Actie uit het Beraad\nid = \"a-1\"\nref = \"2021-02-A1\"\ntitle = \"Webex-gegevens sturen\"\nowner = \"EZK\" # trekker\nstatus = \"open\"\ndue = \"voor 8 februari 2021\"\n";

struct World {
    dir: TempDir,
    server: PathBuf,
}

impl World {
    fn new() -> World {
        isolate();
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        std::fs::write(home.join(".gitconfig"), "").expect("gitconfig");
        let server = dir.path().join("srv").join("agenda.git");
        let repo = Repository::init_opts(
            &server,
            git2::RepositoryInitOptions::new()
                .bare(true)
                .initial_head("main")
                .mkpath(true),
        )
        .expect("init");
        let mut files: Vec<(String, String)> = vec![
            (
                "overleg.toml".into(),
                "format = 1\nname = \"Test\"\n".into(),
            ),
            ("actions/a-1.toml".into(), ACTION.into()),
        ];
        for (id, code) in [("ezk", "EZK"), ("bzk", "BZK"), ("jenv", "JenV")] {
            files.push((
                format!("registry/organisations/{id}.toml"),
                format!("id = \"{id}\"\ncode = \"{code}\"\nname = \"Ministerie {code}\"\n"),
            ));
        }
        let empty = repo.treebuilder(None).expect("tb").write().expect("w");
        let base = repo.find_tree(empty).expect("tree");
        let mut b = TreeUpdateBuilder::new();
        for (p, t) in &files {
            let blob = repo.blob(t.as_bytes()).expect("blob");
            b.upsert(p, blob, FileMode::Blob);
        }
        let tree = repo
            .find_tree(b.create_updated(&repo, &base).expect("tree"))
            .expect("tree");
        let sig = Signature::now("Seed", "seed@example.invalid").expect("sig");
        repo.commit(
            Some("refs/heads/main"),
            &sig,
            &sig,
            "EZK: begin\n\nOverleg-Department: EZK\n",
            &tree,
            &[],
        )
        .expect("commit");
        World { dir, server }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// A clone for `dept`, cloned from the path and then pointed at `url`.
    fn clone(&self, dept: &str, url: &str) -> Store {
        let path = self.dir.path().join(dept.to_lowercase());
        let repo = git2::build::RepoBuilder::new()
            .branch("main")
            .clone(self.server.to_str().expect("utf8"), &path)
            .expect("clone");
        repo.remote_set_url("origin", url).expect("url");
        let mut cfg = repo.config().expect("cfg");
        cfg.set_str("overleg.department", dept).expect("cfg");
        cfg.set_str("user.name", &format!("Secretariaat {dept}"))
            .expect("cfg");
        cfg.set_str(
            "user.email",
            &format!("secretariaat@{}.example.invalid", dept.to_lowercase()),
        )
        .expect("cfg");
        Store::open(&path).expect("store")
    }

    fn server_main(&self) -> git2::Oid {
        Repository::open_bare(&self.server)
            .expect("open")
            .refname_to_id("refs/heads/main")
            .expect("main")
    }

    fn server_file(&self, rel: &str) -> Option<String> {
        let repo = Repository::open_bare(&self.server).expect("open");
        let tree = repo
            .find_reference("refs/heads/main")
            .expect("main")
            .peel_to_tree()
            .expect("tree");
        let e = tree.get_path(Path::new(rel)).ok()?;
        let blob = repo.find_blob(e.id()).expect("blob");
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    }
}

fn identity(store: &Store) -> Identity {
    let cfg = store.repo().expect("repo").config().expect("cfg");
    Identity {
        name: cfg.get_string("user.name").expect("name"),
        email: cfg.get_string("user.email").expect("email"),
        department: cfg.get_string("overleg.department").expect("dept"),
    }
}

fn set(store: &Store, rel: &str, field: &str, value: &str) {
    let id = identity(store);
    store
        .transact_as(&id, |r| {
            let text = r.read(rel)?.expect("record exists");
            let mut doc: DocumentMut = text.parse().expect("toml");
            set_value(
                &mut doc,
                &FieldPath::parse(field).expect("path"),
                Some(Value::from(value)),
            )
            .expect("set");
            Ok((
                vec![Change {
                    path: rel.into(),
                    text: Some(doc.to_string()),
                }],
                format!("{rel} {field} → {value}"),
            ))
        })
        .expect("save");
}

fn write_file(store: &Store, rel: &str, text: Option<String>) {
    let id = identity(store);
    store
        .transact_as(&id, |_| {
            Ok((
                vec![Change {
                    path: rel.into(),
                    text,
                }],
                format!("{rel} geschreven"),
            ))
        })
        .expect("save");
}

fn sync(store: &Store) -> Result<SyncReport, SyncError> {
    sync::sync(store, &SyncOptions::default(), &mut |_| {})
}

fn field(store: &Store, rel: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(store.root().join(rel)).ok()?;
    let t: toml::Table = text.parse().expect("toml");
    t.get(key).and_then(|v| v.as_str()).map(str::to_string)
}

fn head(store: &Store) -> git2::Oid {
    store
        .repo()
        .expect("repo")
        .refname_to_id("HEAD")
        .expect("head")
}

// ---------------------------------------------------------------------------------------------
// Servers on loopback

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn wait_for_port(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server on port {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `git daemon` serving the world's server folder, push enabled. Returns the URL.
fn git_daemon(w: &World) -> (Daemon, String) {
    git_daemon_taking_pushes(w, true)
}

fn git_daemon_taking_pushes(w: &World, push: bool) -> (Daemon, String) {
    let port = free_port();
    let root = w.server.parent().expect("srv").to_path_buf();
    let mut cmd = Command::new("git");
    git_env(&mut cmd, &w.home());
    traced(&mut cmd, &root);
    cmd.arg("daemon")
        .arg("--reuseaddr")
        .arg("--export-all")
        .arg(if push {
            "--enable=receive-pack"
        } else {
            "--disable=receive-pack"
        })
        .arg("--listen=127.0.0.1")
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", root.display()))
        .arg(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = cmd.spawn().expect("git daemon");
    let d = Daemon(child);
    wait_for_port(port);
    (d, format!("git://127.0.0.1:{port}/agenda.git"))
}

fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A small HTTP/1.1 server that runs `git http-backend` as CGI for requests with the right
/// basic-auth header. Returns the URL of the repository.
fn http_server(w: &World, user: &str, password: &str) -> String {
    let port = listen(w, user, password, |mut stream, serve_one| {
        let _ = serve_one(&mut stream);
    });
    format!("http://127.0.0.1:{port}/agenda.git")
}

/// A server on a free port of 127.0.0.1, a thread per connection: `accept` gets the connection
/// and a function that serves git over any stream made of it. Returns the port.
fn listen(
    w: &World,
    user: &str,
    password: &str,
    accept: impl Fn(TcpStream, &dyn Fn(&mut dyn ReadWrite) -> std::io::Result<()>)
    + Send
    + Sync
    + 'static,
) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let expected = format!("Basic {}", base64(format!("{user}:{password}").as_bytes()));
    let root = w.server.parent().expect("srv").to_path_buf();
    let home = w.home();
    let user = user.to_string();
    let accept = Arc::new(accept);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (root, home, expected, user, accept) = (
                root.clone(),
                home.clone(),
                expected.clone(),
                user.clone(),
                accept.clone(),
            );
            std::thread::spawn(move || {
                accept(stream, &|s| serve(s, &root, &home, &expected, &user));
            });
        }
    });
    port
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// The same server behind TLS, with a certificate for 127.0.0.1 from a CA made for the test.
/// Returns the URL and the CA's certificate file.
fn https_server(w: &World, user: &str, password: &str) -> (String, PathBuf) {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::ssl::{SslAcceptor, SslMethod};
    use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
    use openssl::x509::{X509Builder, X509NameBuilder};
    let key = PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("key");
    let mut name = X509NameBuilder::new().expect("name");
    name.append_entry_by_text("CN", "overleg test server")
        .expect("cn");
    let name = name.build();
    let mut b = X509Builder::new().expect("x509");
    b.set_version(2).expect("v3");
    let serial = BigNum::from_u32(1)
        .and_then(|n| n.to_asn1_integer())
        .expect("serial");
    b.set_serial_number(&serial).expect("serial");
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(&name).expect("issuer");
    b.set_pubkey(&key).expect("pubkey");
    b.set_not_before(&Asn1Time::days_from_now(0).expect("t"))
        .expect("nb");
    b.set_not_after(&Asn1Time::days_from_now(2).expect("t"))
        .expect("na");
    let san = SubjectAlternativeName::new()
        .ip("127.0.0.1")
        .build(&b.x509v3_context(None, None))
        .expect("san");
    b.append_extension(san).expect("san");
    b.append_extension(BasicConstraints::new().critical().ca().build().expect("bc"))
        .expect("bc");
    b.sign(&key, MessageDigest::sha256()).expect("sign");
    let cert = b.build();
    let ca = w.dir.path().join("test-ca.pem");
    std::fs::write(&ca, cert.to_pem().expect("pem")).expect("write ca");
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).expect("acceptor");
    acceptor.set_private_key(&key).expect("key");
    acceptor.set_certificate(&cert).expect("cert");
    let acceptor = Arc::new(acceptor.build());
    let port = listen(w, user, password, move |stream, serve_one| {
        // a client that does not trust the certificate hangs up in the handshake
        if let Ok(mut tls) = acceptor.accept(stream) {
            let _ = serve_one(&mut tls);
        }
    });
    (format!("https://127.0.0.1:{port}/agenda.git"), ca)
}

/// The lines of git's protocol the server's git speaks, in `packets.log` beside the server's
/// repository if a test made that file before starting the server.
fn traced(cmd: &mut Command, root: &Path) {
    let trace = root.join("packets.log");
    if trace.exists() {
        cmd.env("GIT_TRACE_PACKET", trace);
    }
}

fn packets(w: &World) -> PathBuf {
    let trace = w.server.parent().expect("srv").join("packets.log");
    std::fs::write(&trace, "").expect("trace file");
    trace
}

fn serve(
    stream: &mut dyn ReadWrite,
    root: &Path,
    home: &Path,
    expected: &str,
    user: &str,
) -> std::io::Result<()> {
    // one request, then its answer: reading and writing never overlap on the stream
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = BTreeMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_lowercase(), v.trim().to_string());
            }
        }
        let mut body = Vec::new();
        if let Some(n) = headers
            .get("content-length")
            .and_then(|n| n.parse::<usize>().ok())
        {
            body.resize(n, 0);
            reader.read_exact(&mut body)?;
        } else if headers
            .get("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        {
            loop {
                let mut size = String::new();
                reader.read_line(&mut size)?;
                let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                    .unwrap_or(0);
                let mut chunk = vec![0; n + 2];
                reader.read_exact(&mut chunk)?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        }
        if headers.get("authorization").map(String::as_str) != Some(expected) {
            let msg = b"authentication required\n";
            write!(
                reader.get_mut(),
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"agenda\"\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                msg.len()
            )?;
            reader.get_mut().write_all(msg)?;
            reader.get_mut().flush()?;
            continue;
        }
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let mut cmd = Command::new("git");
        git_env(&mut cmd, home);
        traced(&mut cmd, root);
        cmd.arg("http-backend")
            .env("GIT_PROJECT_ROOT", root)
            .env("GIT_HTTP_EXPORT_ALL", "1")
            .env("PATH_INFO", path)
            .env("QUERY_STRING", query)
            .env("REQUEST_METHOD", &method)
            .env(
                "CONTENT_TYPE",
                headers.get("content-type").cloned().unwrap_or_default(),
            )
            .env("CONTENT_LENGTH", body.len().to_string())
            .env("REMOTE_USER", user)
            .env("REMOTE_ADDR", "127.0.0.1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(p) = headers.get("git-protocol") {
            cmd.env("HTTP_GIT_PROTOCOL", p);
        }
        if let Some(e) = headers.get("content-encoding") {
            cmd.env("HTTP_CONTENT_ENCODING", e);
        }
        let mut child = cmd.spawn()?;
        let mut stdin = child.stdin.take().expect("stdin");
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&body);
        });
        let output = child.wait_with_output()?;
        let _ = writer.join();
        let raw = output.stdout;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| (p, 4))
            .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| (p, 2)));
        let (head, cgi_body) = match split {
            Some((p, n)) => (
                String::from_utf8_lossy(&raw[..p]).into_owned(),
                &raw[p + n..],
            ),
            None => (String::new(), &raw[..]),
        };
        let mut status = "200 OK".to_string();
        let mut extra = String::new();
        for h in head.lines() {
            let h = h.trim_end();
            if let Some(s) = h.strip_prefix("Status:") {
                status = s.trim().to_string();
            } else if !h.is_empty() {
                extra.push_str(h);
                extra.push_str("\r\n");
            }
        }
        write!(
            reader.get_mut(),
            "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\n\r\n",
            cgi_body.len()
        )?;
        reader.get_mut().write_all(cgi_body)?;
        reader.get_mut().flush()?;
    }
}

/// A credential helper for one clone (in that clone's git config, read by libgit2).
fn credential_helper(w: &World, store: &Store, user: &str, password: &str, name: &str) {
    let file = w.dir.path().join(format!("{name}.credentials"));
    let url = {
        let repo = store.repo().expect("repo");
        let r = repo.find_remote("origin").expect("origin");
        r.url().expect("url").to_string()
    };
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let host = rest.split('/').next().expect("host").to_string();
    std::fs::write(&file, format!("{scheme}://{user}:{password}@{host}\n")).expect("creds");
    let repo = store.repo().expect("repo");
    repo.config()
        .expect("cfg")
        .set_str(
            "credential.helper",
            &format!("store --file {}", file.display()),
        )
        .expect("helper");
}

// ---------------------------------------------------------------------------------------------
// Scenarios

#[test]
fn adjacent_fields_by_two_departments_merge_without_conflict_over_a_path() {
    let w = World::new();
    let url = w.server.to_string_lossy().to_string();
    let (ezk, bzk, jenv) = (
        w.clone("EZK", &url),
        w.clone("BZK", &url),
        w.clone("JenV", &url),
    );
    set(&ezk, "actions/a-1.toml", "owner", "BZK");
    set(&bzk, "actions/a-1.toml", "status", "lopend");
    let r1 = sync(&ezk).expect("sync ezk");
    assert!(r1.pushed);
    let r2 = sync(&bzk).expect("sync bzk");
    assert_eq!(r2.conflicts, 0);
    assert_eq!(r2.merged, vec!["actions/a-1.toml".to_string()]);
    assert!(r2.pushed);
    assert_eq!((r2.ahead, r2.behind), (0, 0));
    sync(&jenv).expect("sync jenv");
    for s in [&bzk, &jenv] {
        assert_eq!(
            field(s, "actions/a-1.toml", "owner").as_deref(),
            Some("BZK")
        );
        assert_eq!(
            field(s, "actions/a-1.toml", "status").as_deref(),
            Some("lopend")
        );
    }
    // the comment written after the owner survived the merge
    let text = std::fs::read_to_string(jenv.root().join("actions/a-1.toml")).expect("read");
    assert!(text.contains("owner = \"BZK\" # trekker"), "{text}");
    // the work tree and index are clean after the merge (`git status` shows nothing)
    assert!(
        sync::uncommitted(&jenv.repo().expect("repo"))
            .expect("status")
            .is_empty()
    );
    // status: in sync, with a time
    let st = sync::status(&jenv).expect("status");
    assert_eq!((st.ahead, st.behind, st.open_conflicts), (0, 0, 0));
    assert!(st.last_success.is_some());
}

#[test]
fn same_field_conflict_is_resolved_pushed_and_seen_by_the_third_over_git_daemon() {
    let w = World::new();
    let (_daemon, url) = git_daemon(&w);
    let (ezk, bzk, jenv) = (
        w.clone("EZK", &url),
        w.clone("BZK", &url),
        w.clone("JenV", &url),
    );
    set(&ezk, "actions/a-1.toml", "status", "gereed");
    set(
        &ezk,
        "actions/a-1.toml",
        "title",
        "Webex-gegevens naar de leden",
    );
    set(&bzk, "actions/a-1.toml", "status", "vervallen");
    assert!(sync(&ezk).expect("ezk").pushed);
    let on_server = w.server_main();
    let bzk_head = head(&bzk);
    let r = sync(&bzk).expect("bzk");
    assert_eq!(r.conflicts, 1);
    assert!(!r.pushed);
    assert_eq!(w.server_main(), on_server, "nothing pushed with a conflict");
    assert_eq!(head(&bzk), bzk_head, "branch stays until resolved");
    // the state survives a restart: open the clone again
    let bzk = Store::open(bzk.root()).expect("reopen");
    let list = conflicts::list(&bzk).expect("list");
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!((c.id.as_str(), c.field.as_str()), ("a-1", "status"));
    assert_eq!(c.ours.as_deref(), Some("vervallen"));
    assert_eq!(c.theirs.as_deref(), Some("gereed"));
    assert_eq!(c.ours_by.as_ref().expect("ours by").department, "BZK");
    assert_eq!(c.theirs_by.as_ref().expect("theirs by").department, "EZK");
    assert_eq!(c.theirs_by.as_ref().expect("by").author, "Secretariaat EZK");
    // both versions recoverable as files
    let files = conflicts::dir(bzk.repo().expect("repo").path()).join("files");
    let theirs = std::fs::read_to_string(files.join("actions__a-1.toml.theirs")).expect("theirs");
    assert!(theirs.contains("gereed"));
    // a sync meanwhile keeps the state and still pushes nothing
    assert_eq!(sync(&bzk).expect("again").conflicts, 1);
    assert_eq!(w.server_main(), on_server);
    // a bad value is refused; a good one completes the merge
    assert!(conflicts::resolve(&bzk, "a-1", "status", Take::Value("klaar".into())).is_err());
    let done = conflicts::resolve(&bzk, "2021-02-A1", "status", Take::Value("lopend".into()))
        .expect("resolve");
    assert!(done.completed);
    assert_eq!(done.remaining, 0);
    assert!(conflicts::list(&bzk).expect("list").is_empty());
    let r = sync(&bzk).expect("push");
    assert!(r.pushed);
    sync(&jenv).expect("jenv");
    assert_eq!(
        field(&jenv, "actions/a-1.toml", "status").as_deref(),
        Some("lopend")
    );
    assert_eq!(
        field(&jenv, "actions/a-1.toml", "title").as_deref(),
        Some("Webex-gegevens naar de leden")
    );
    sync(&ezk).expect("ezk");
    assert_eq!(head(&ezk), head(&jenv));
}

#[test]
fn push_race_between_two_departments_ends_with_both_changes_on_the_server() {
    let w = World::new();
    let (_daemon, url) = git_daemon(&w);
    push_race(&w, &url);
}

/// The same race with the server a folder, which overleg fetches from and pushes to itself
/// (`sync::folder`): the branch moves only from where each sync found it, and the server and
/// both departments hold every object their branches need (`git fsck`).
#[test]
fn push_race_over_a_folder_ends_with_both_changes_and_whole_repositories() {
    let w = World::new();
    let url = w.server.to_string_lossy().to_string();
    let (ezk, bzk) = push_race(&w, &url);
    // the one that pushed first fetches what the other merged after it
    sync(&ezk).expect("ezk again");
    sync(&bzk).expect("bzk again");
    assert_eq!(head(&ezk), head(&bzk));
    fsck(&w, &w.server);
    fsck(&w, ezk.root());
    fsck(&w, bzk.root());
    // a third department starting from the server gets both departments' work
    let jenv = w.clone("JenV", &url);
    assert!(jenv.root().join("actions/a-ezk2.toml").exists());
    assert!(jenv.root().join("actions/a-bzk2.toml").exists());
}

/// `git fsck --full`: every object the branches need is there and whole.
fn fsck(w: &World, dir: &Path) {
    let mut cmd = Command::new("git");
    git_env(&mut cmd, &w.home());
    let out = cmd
        .args(["fsck", "--full", "--no-dangling"])
        .current_dir(dir)
        .output()
        .expect("git fsck");
    assert!(
        out.status.success(),
        "{}: {}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn packs(git_dir: &Path) -> usize {
    std::fs::read_dir(git_dir.join("objects/pack"))
        .expect("pack folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "pack"))
        })
        .count()
}

/// Two departments sync all day: each sync leaves a pack in the clone (and, with a folder as
/// the server, one there). Returns the most packs seen in EZK's clone and on the server.
fn sync_all_day(w: &World, url: &str) -> (usize, usize) {
    use overleg::store::packs::PACK_LIMIT;
    let (ezk, bzk) = (w.clone("EZK", url), w.clone("BZK", url));
    let (mut most_here, mut most_there, mut joined) = (0, 0, 0);
    for i in 0..PACK_LIMIT + 8 {
        set(&bzk, "actions/a-1.toml", "title", &format!("Titel {i}"));
        set(&ezk, "actions/a-1.toml", "owner", &format!("EZK-{i}"));
        sync(&bzk).expect("bzk");
        let mut said = 0;
        let r = sync::sync(&ezk, &SyncOptions::default(), &mut |e| {
            if let sync::Event::JoiningPacks { packs, .. } = e {
                said += packs;
            }
        })
        .expect("ezk");
        assert_eq!(r.packs_error, None);
        assert_eq!(said, r.packs_joined, "a join is announced before it runs");
        joined += r.packs_joined;
        most_here = most_here.max(packs(&ezk.root().join(".git")));
        most_there = most_there.max(packs(&w.server));
        assert_eq!(
            field(&ezk, "actions/a-1.toml", "title"),
            Some(format!("Titel {i}"))
        );
    }
    assert!(joined > PACK_LIMIT, "{joined} packs joined");
    fsck(w, ezk.root());
    fsck(w, bzk.root());
    fsck(w, &w.server);
    sync(&bzk).expect("bzk last");
    assert_eq!(head(&bzk), head(&ezk));
    (most_here, most_there)
}

/// A clone that fetches all day through a git server joins its small packs (`store::packs`)
/// and keeps every object.
#[test]
fn a_clone_that_syncs_often_keeps_few_packs_and_every_object() {
    let w = World::new();
    let (_daemon, url) = git_daemon(&w);
    let (here, _) = sync_all_day(&w, &url);
    assert!(
        here <= overleg::store::packs::PACK_LIMIT + 1,
        "{here} packs"
    );
}

/// With a folder as the server, nobody else joins the server's packs: overleg does, after a
/// push, and both departments keep finding every object there.
#[test]
fn a_folder_server_that_is_pushed_to_often_keeps_few_packs() {
    let w = World::new();
    let url = w.server.to_string_lossy().to_string();
    let (here, there) = sync_all_day(&w, &url);
    let limit = overleg::store::packs::PACK_LIMIT + 1;
    assert!(
        here <= limit && there <= limit,
        "{here} here, {there} on the server"
    );
}

/// Saves write their objects loose; a sync packs them once there are many, and every object
/// stays readable, here and for the others.
#[test]
fn a_sync_packs_the_loose_objects_of_many_saves() {
    use overleg::store::housekeeping::{LOOSE_LIMIT, estimate};
    let w = World::new();
    let url = w.server.to_string_lossy().to_string();
    let ezk = w.clone("EZK", &url);
    let id = identity(&ezk);
    ezk.transact_as(&id, |_| {
        let changes = (0..1500)
            .map(|i| Change {
                path: format!("actions/a-x{i}.toml"),
                text: Some(
                    ACTION
                        .replace("a-1", &format!("a-x{i}"))
                        .replace("A1", &format!("X{i}")),
                ),
            })
            .collect();
        Ok((changes, "1,500 acties".into()))
    })
    .expect("save");
    let git_dir = ezk.root().join(".git");
    let limit = 1000;
    assert!(estimate(&git_dir) > limit, "{}", estimate(&git_dir));
    assert!(LOOSE_LIMIT > limit);
    // git's gc.auto decides, as for git: 0 turns it off
    let cfg = |n: i64| {
        ezk.repo()
            .expect("repo")
            .config()
            .expect("cfg")
            .set_i64("gc.auto", n)
            .expect("set")
    };
    cfg(0);
    let r = sync(&ezk).expect("sync");
    assert_eq!((r.loose_packed, r.packs_error.as_deref()), (0, None));
    assert!(estimate(&git_dir) > limit);
    cfg(limit as i64);
    let mut said = 0;
    let r = sync::sync(&ezk, &SyncOptions::default(), &mut |e| {
        if let sync::Event::PackingLoose { objects, .. } = e {
            said = *objects;
        }
    })
    .expect("sync");
    assert_eq!(r.packs_error, None);
    assert!(said > limit, "announced: {said}");
    assert!(r.loose_packed >= 1500, "{r:?}");
    assert_eq!(estimate(&git_dir), 0);
    fsck(&w, ezk.root());
    let bzk = w.clone("BZK", &url);
    assert!(bzk.root().join("actions/a-x1499.toml").exists());
    set(&ezk, "actions/a-x7.toml", "status", "gereed");
    assert_eq!(
        field(&ezk, "actions/a-x7.toml", "status").as_deref(),
        Some("gereed")
    );
}

fn push_race(w: &World, url: &str) -> (Store, Store) {
    let url = url.to_string();
    let ezk = w.clone("EZK", &url);
    let bzk = w.clone("BZK", &url);
    // each edits its own record, many times, then both sync at the same moment
    for i in 0..3 {
        write_file(
            &ezk,
            &format!("actions/a-ezk{i}.toml"),
            Some(ACTION.replace("a-1", &format!("a-ezk{i}"))),
        );
        write_file(
            &bzk,
            &format!("actions/a-bzk{i}.toml"),
            Some(ACTION.replace("a-1", &format!("a-bzk{i}"))),
        );
    }
    set(&ezk, "actions/a-1.toml", "owner", "JenV");
    set(&bzk, "actions/a-1.toml", "due", "eind maart 2021");
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = [ezk.root().to_path_buf(), bzk.root().to_path_buf()]
        .into_iter()
        .map(|root| {
            let b = barrier.clone();
            std::thread::spawn(move || {
                let store = Store::open(&root).expect("store");
                b.wait();
                sync(&store)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    for r in &results {
        let r = r.as_ref().expect("sync in the race");
        assert!(r.pushed || r.conflicts == 0);
    }
    for i in 0..3 {
        assert!(w.server_file(&format!("actions/a-ezk{i}.toml")).is_some());
        assert!(w.server_file(&format!("actions/a-bzk{i}.toml")).is_some());
    }
    let a1 = w.server_file("actions/a-1.toml").expect("a-1");
    assert!(a1.contains("owner = \"JenV\""), "{a1}");
    assert!(a1.contains("due = \"eind maart 2021\""), "{a1}");
    (ezk, bzk)
}

/// HTTPS through the real binary, which starts libgit2 without certificates and loads them
/// at the first connection: the user's `SSL_CERT_FILE` is what a sync trusts, and a server
/// it does not trust is refused with the local work kept.
#[test]
fn https_trusts_the_certificates_the_user_chose() {
    let w = World::new();
    let (url, ca) = https_server(&w, "secretariaat", "juist-wachtwoord");
    let ezk = w.clone("EZK", &url);
    credential_helper(&w, &ezk, "secretariaat", "juist-wachtwoord", "ezk");
    let overleg = |certs: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_overleg"));
        git_env(&mut cmd, &w.home());
        cmd.current_dir(ezk.root()).args(["sync"]);
        match certs {
            Some(f) => cmd.env("SSL_CERT_FILE", f),
            None => cmd.env_remove("SSL_CERT_FILE"),
        };
        cmd.env_remove("SSL_CERT_DIR");
        cmd.output().expect("run overleg")
    };
    // not trusted (the system's certificates only): refused, nothing lost
    set(&ezk, "actions/a-1.toml", "status", "gereed");
    let before_server = w.server_main();
    let before_local = head(&ezk);
    let out = overleg(None);
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(!out.status.success(), "a server nobody trusts was accepted");
    assert!(err.contains("certificate"), "{err}");
    assert_eq!(w.server_main(), before_server);
    assert_eq!(head(&ezk), before_local);
    // trusted through SSL_CERT_FILE: fetched and pushed
    let out = overleg(Some(&ca));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        w.server_file("actions/a-1.toml")
            .expect("a-1")
            .contains("gereed")
    );
}

#[test]
fn smart_http_with_basic_auth_from_a_credential_helper_and_a_wrong_password() {
    let w = World::new();
    let url = http_server(&w, "secretariaat", "juist-wachtwoord");
    let ezk = w.clone("EZK", &url);
    let bzk = w.clone("BZK", &url);
    let nohelper = w.clone("JenV", &url);
    credential_helper(&w, &ezk, "secretariaat", "juist-wachtwoord", "ezk");
    credential_helper(&w, &bzk, "secretariaat", "fout", "bzk");
    set(&ezk, "actions/a-1.toml", "status", "gereed");
    let r = sync(&ezk).expect("sync over http");
    assert!(r.pushed);
    assert!(
        w.server_file("actions/a-1.toml")
            .expect("a-1")
            .contains("gereed")
    );
    // wrong password: a clear error, nothing changed on either side, local work kept
    set(&bzk, "actions/a-1.toml", "owner", "BZK");
    let before_server = w.server_main();
    let before_local = head(&bzk);
    let err = sync(&bzk).expect_err("wrong password");
    assert!(matches!(err, SyncError::Auth { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("authentication failed"), "{msg}");
    assert!(!msg.contains("fout"), "the password is never shown: {msg}");
    assert_eq!(w.server_main(), before_server);
    assert_eq!(head(&bzk), before_local);
    assert_eq!(
        field(&bzk, "actions/a-1.toml", "owner").as_deref(),
        Some("BZK")
    );
    // no helper at all: says so
    let err = sync(&nohelper).expect_err("no credentials");
    assert!(matches!(err, SyncError::Auth { .. }), "{err}");
    assert!(err.to_string().contains("credential helper"), "{err}");
    // and nothing was written down: the clone config holds no password
    let cfg =
        std::fs::read_to_string(bzk.repo().expect("repo").path().join("config")).expect("config");
    assert!(!cfg.contains("fout"));
    let rec = std::fs::read_to_string(bzk.repo().expect("repo").path().join("overleg-sync.toml"))
        .expect("record");
    assert!(!rec.contains("fout"));
}

/// The work tree follows a merge while the merge is pushed. When it cannot (here a folder
/// stands where an incoming record goes: nothing git tracks, so the checks pass), every file
/// is put back and the branch stays; the merge that reached the server is recorded, and once
/// the folder is gone the next sync moves the branch on.
#[test]
fn a_work_tree_that_cannot_follow_the_merge_keeps_everything_and_catches_up() {
    let w = World::new();
    let url = w.server.to_string_lossy().to_string();
    let (ezk, bzk) = (w.clone("EZK", &url), w.clone("BZK", &url));
    let incoming = ACTION.replace("a-1", "a-2");
    write_file(&bzk, "actions/a-2.toml", Some(incoming.clone()));
    sync(&bzk).expect("bzk pushes");
    set(&ezk, "actions/a-1.toml", "owner", "EZK");
    let before = head(&ezk);
    let a1 = std::fs::read_to_string(ezk.root().join("actions/a-1.toml")).expect("read");
    std::fs::create_dir(ezk.root().join("actions/a-2.toml")).expect("folder in the way");
    let err = sync(&ezk).expect_err("cannot write actions/a-2.toml");
    assert!(err.to_string().contains("a-2.toml"), "{err}");
    assert_eq!(head(&ezk), before, "the branch did not move");
    assert_eq!(
        std::fs::read_to_string(ezk.root().join("actions/a-1.toml")).expect("read"),
        a1,
        "our own record is as we left it"
    );
    let repo = ezk.repo().expect("repo");
    assert!(repo.find_reference("refs/overleg/sync-push").is_err());
    // the merge went out beside the failed checkout, and is known to have
    let merge = w.server_main();
    assert_eq!(
        repo.refname_to_id("refs/remotes/origin/main")
            .expect("tracking"),
        merge
    );
    let parents: Vec<_> = repo
        .find_commit(merge)
        .expect("merge")
        .parent_ids()
        .collect();
    assert!(parents.contains(&before), "{parents:?}");
    assert!(
        w.server_file("actions/a-1.toml")
            .is_some_and(|t| t.contains("owner = \"EZK\""))
    );
    assert_eq!(
        w.server_file("actions/a-2.toml").as_deref(),
        Some(incoming.as_str())
    );
    std::fs::remove_dir(ezk.root().join("actions/a-2.toml")).expect("rmdir");
    let r = sync(&ezk).expect("sync once the folder is gone");
    assert_eq!((r.ahead, r.behind), (0, 0));
    assert_eq!(
        field(&ezk, "actions/a-1.toml", "owner").as_deref(),
        Some("EZK")
    );
    assert_eq!(
        std::fs::read_to_string(ezk.root().join("actions/a-2.toml")).expect("read"),
        incoming
    );
    assert_eq!(w.server_main(), head(&ezk));
    assert!(
        sync::uncommitted(&ezk.repo().expect("repo"))
            .expect("status")
            .is_empty()
    );
}

#[test]
fn unreachable_server_is_clear_and_keeps_local_work() {
    let w = World::new();
    let port = free_port();
    let ezk = w.clone("EZK", &format!("git://127.0.0.1:{port}/agenda.git"));
    set(&ezk, "actions/a-1.toml", "status", "gereed");
    let before = head(&ezk);
    let err = sync(&ezk).expect_err("offline");
    assert!(matches!(err, SyncError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("Your work is kept"), "{err}");
    assert_eq!(head(&ezk), before);
    let st = sync::status(&ezk).expect("status");
    assert!(st.last_success.is_none());
    assert!(st.last_result.expect("result").contains("cannot reach"));
}

#[test]
fn refuses_uncommitted_records_and_conflict_markers() {
    let w = World::new();
    let url = w.server.to_string_lossy().to_string();
    let ezk = w.clone("EZK", &url);
    // another department's change is waiting on the server: the fetch (which runs beside
    // the checks of the work tree) brings it in, but nothing may be merged over the edit
    let bzk = w.clone("BZK", &url);
    set(&bzk, "actions/a-1.toml", "owner", "BZK");
    sync(&bzk).expect("bzk pushes");
    let before = head(&ezk);
    let p = ezk.root().join("actions/a-1.toml");
    let edit = ACTION.replace("open", "gereed");
    std::fs::write(&p, &edit).expect("write");
    let err = sync(&ezk).expect_err("dirty");
    assert!(
        matches!(err, SyncError::Dirty(ref f) if f == &vec!["actions/a-1.toml".to_string()]),
        "{err}"
    );
    assert_eq!(head(&ezk), before, "no merge over uncommitted work");
    assert_eq!(std::fs::read_to_string(&p).expect("read"), edit);
    std::fs::write(&p, ACTION).expect("write");
    sync(&ezk).expect("in sync once the edit is gone");
    assert_eq!(
        field(&ezk, "actions/a-1.toml", "owner").as_deref(),
        Some("BZK")
    );
    // a file committed with markers by plain git: reported with file and line, never dropped
    let marked = "id = \"a-1\"\n<<<<<<< HEAD\nstatus = \"open\"\n=======\nstatus = \"gereed\"\n>>>>>>> other\n";
    std::fs::write(&p, marked).expect("write");
    let repo = ezk.repo().expect("repo");
    let mut idx = repo.index().expect("index");
    idx.add_path(Path::new("actions/a-1.toml")).expect("add");
    idx.write().expect("write");
    let tree = repo
        .find_tree(idx.write_tree().expect("tree"))
        .expect("tree");
    let sig = Signature::now("x", "x@example.invalid").expect("sig");
    let parent = repo.head().expect("head").peel_to_commit().expect("commit");
    repo.commit(Some("HEAD"), &sig, &sig, "plain git", &tree, &[&parent])
        .expect("commit");
    let err = sync(&ezk).expect_err("markers");
    assert!(
        matches!(err, SyncError::Markers(ref m) if m == &vec![("actions/a-1.toml".to_string(), 2)]),
        "{err}"
    );
    assert!(err.to_string().contains("actions/a-1.toml:2"));
    assert_eq!(std::fs::read_to_string(&p).expect("read"), marked);
}

/// A sync that has its own commit to merge with incoming ones builds the merge and its pack
/// while the checks of the work tree run; an uncommitted edit found by them still stops it
/// before anything is sent or touched: the server keeps its branch, the clone its branch, its
/// edit and no leftover reference. Through a folder server and through `git daemon`.
#[test]
fn an_uncommitted_edit_stops_a_merging_sync_before_anything_is_sent() {
    let w = World::new();
    let (_daemon, daemon_url) = git_daemon(&w);
    for (name, url) in [
        ("folder", w.server.to_string_lossy().to_string()),
        ("daemon", daemon_url),
    ] {
        let ezk = w.clone(&format!("EZK-{name}"), &url);
        let bzk = w.clone(&format!("BZK-{name}"), &url);
        set(&bzk, "actions/a-1.toml", "owner", &format!("BZK {name}"));
        sync(&bzk).expect("bzk pushes");
        let server_before = w.server_main();
        write_file(
            &ezk,
            "actions/a-2.toml",
            Some(
                ACTION
                    .replace("a-1", "a-2")
                    .replace("2021-02-A1", "2021-02-A2"),
            ),
        );
        let before = head(&ezk);
        let p = ezk.root().join("actions/a-1.toml");
        let mut edit = std::fs::read_to_string(&p).expect("read");
        edit.push_str("# nog niet opgeslagen\n");
        std::fs::write(&p, &edit).expect("write");
        let err = sync(&ezk).expect_err("dirty");
        assert!(matches!(err, SyncError::Dirty(_)), "{name}: {err}");
        assert_eq!(
            w.server_main(),
            server_before,
            "{name}: pushed past the check"
        );
        assert_eq!(head(&ezk), before, "{name}: the branch moved");
        assert_eq!(std::fs::read_to_string(&p).expect("read"), edit);
        let repo = ezk.repo().expect("repo");
        assert!(
            repo.find_reference("refs/overleg/sync-push").is_err(),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Randomized: three departments, random creates, edits, deletes and syncs

mod random {
    use super::*;
    use proptest::prelude::*;

    const DEPTS: [&str; 3] = ["EZK", "BZK", "JenV"];
    const FIELDS: [&str; 3] = ["title", "status_note", "owner_role"];

    #[derive(Clone, Debug)]
    enum Op {
        Create(usize),
        Edit(usize, usize, usize),
        Delete(usize, usize),
        Sync(usize, bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => (0..3usize).prop_map(Op::Create),
            4 => (0..3usize, 0..16usize, 0..3usize).prop_map(|(d, r, f)| Op::Edit(d, r, f)),
            1 => (0..3usize, 0..16usize).prop_map(|(d, r)| Op::Delete(d, r)),
            3 => (0..3usize, any::<bool>()).prop_map(|(d, b)| Op::Sync(d, b)),
        ]
    }

    /// What happened to values, to check that none was lost silently.
    #[derive(Default)]
    struct Log {
        /// (path, field, value) of every write
        writes: Vec<(String, String, String)>,
        /// values that a later writer overwrote or deleted having seen them
        superseded: Vec<String>,
        /// texts of record versions discarded by an explicit resolution
        resolved_away: Vec<String>,
        created: Vec<String>,
        deleted_seen: Vec<String>,
    }

    fn records(store: &Store) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(store.root().join("actions"))
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .map(|n| format!("actions/{n}"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn do_sync(store: &Store, take_ours: bool, log: &mut Log) {
        let r = sync(store).expect("sync");
        if r.conflicts == 0 {
            return;
        }
        for c in conflicts::list(store).expect("list") {
            let take = if take_ours { Take::Ours } else { Take::Theirs };
            let (kept, lost) = if take_ours {
                (&c.ours, &c.theirs)
            } else {
                (&c.theirs, &c.ours)
            };
            if let Some(l) = lost
                && kept != lost
            {
                log.resolved_away.push(l.clone());
            }
            conflicts::resolve(store, &c.path, &c.field, take).expect("resolve");
        }
        assert!(conflicts::list(store).expect("list").is_empty());
    }

    fn run(ops: Vec<Op>) {
        let w = World::new();
        let url = w.server.to_string_lossy().to_string();
        let stores: Vec<Store> = DEPTS.iter().map(|d| w.clone(d, &url)).collect();
        let mut log = Log::default();
        let mut counter = 0;
        for op in ops {
            counter += 1;
            match op {
                Op::Create(d) => {
                    let id = format!("a-{}{counter}", DEPTS[d].to_lowercase());
                    let path = format!("actions/{id}.toml");
                    let title = format!("t{counter}");
                    write_file(
                        &stores[d],
                        &path,
                        Some(
                            ACTION
                                .replace("a-1", &id)
                                .replace("Webex-gegevens sturen", &title),
                        ),
                    );
                    log.writes.push((path.clone(), "title".into(), title));
                    log.created.push(path);
                }
                Op::Edit(d, r, f) => {
                    let recs = records(&stores[d]);
                    if recs.is_empty() {
                        continue;
                    }
                    let path = recs[r % recs.len()].clone();
                    let value = format!("v{counter}-{}", DEPTS[d]);
                    if let Some(prev) = field(&stores[d], &path, FIELDS[f]) {
                        log.superseded.push(prev);
                    }
                    set(&stores[d], &path, FIELDS[f], &value);
                    log.writes.push((path, FIELDS[f].into(), value));
                }
                Op::Delete(d, r) => {
                    let recs = records(&stores[d]);
                    if recs.len() <= 1 {
                        continue;
                    }
                    let path = recs[r % recs.len()].clone();
                    let text = std::fs::read_to_string(stores[d].root().join(&path)).expect("read");
                    log.deleted_seen.push(text);
                    write_file(&stores[d], &path, None);
                }
                Op::Sync(d, ours) => do_sync(&stores[d], ours, &mut log),
            }
        }
        // settle: everyone syncs until nobody has anything left
        for round in 0..4 {
            for s in &stores {
                do_sync(s, round % 2 == 0, &mut log);
            }
        }
        let server = w.server_main();
        let tree_of = |s: &Store| {
            s.repo()
                .expect("repo")
                .head()
                .expect("head")
                .peel_to_tree()
                .expect("tree")
                .id()
        };
        for s in &stores {
            assert_eq!(head(s), server, "every clone converged to the server");
            assert_eq!(tree_of(s), tree_of(&stores[0]));
            assert!(
                sync::uncommitted(&s.repo().expect("repo"))
                    .expect("st")
                    .is_empty()
            );
        }
        // nothing lost silently
        let final_records = records(&stores[0]);
        let texts: Vec<String> = final_records
            .iter()
            .map(|p| std::fs::read_to_string(stores[0].root().join(p)).expect("read"))
            .collect();
        let deleted_or_away = |v: &str| {
            log.deleted_seen
                .iter()
                .any(|t| t.contains(&format!("\"{v}\"")))
                || log.resolved_away.iter().any(|t| t.contains(v))
        };
        for (path, f, v) in &log.writes {
            let here = field(&stores[0], path, f);
            let ok = here.as_deref() == Some(v.as_str())
                || log.superseded.contains(v)
                || deleted_or_away(v);
            assert!(
                ok,
                "value {v} written to {path} {f} is lost (now {here:?}); records: {texts:?}"
            );
        }
        for path in &log.created {
            let id = path
                .trim_start_matches("actions/")
                .trim_end_matches(".toml");
            let ok = final_records.contains(path)
                || log
                    .deleted_seen
                    .iter()
                    .any(|t| t.contains(&format!("id = \"{id}\"")))
                || log
                    .resolved_away
                    .iter()
                    .any(|t| t.contains(&format!("id = \"{id}\"")));
            assert!(ok, "record {path} vanished without a delete");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(16),
            max_shrink_iters: 64,
            .. ProptestConfig::default()
        })]

        #[test]
        fn three_departments_converge_and_lose_nothing(ops in proptest::collection::vec(op(), 1..40)) {
            run(ops);
        }
    }
}

/// A server that accepts connections and then, per `mode`, says nothing ("hang") or sends the
/// start of an answer and hangs up ("drop"). Runs until the test's process ends.
fn faulty_server(mode: &'static str) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().take(20) {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut conn, &mut buf);
            if mode == "drop" {
                // A git protocol advertisement that stops half way through a line.
                let _ = std::io::Write::write_all(
                    &mut conn,
                    b"00a1e3b0c44298fc1c149afbf4c8996fb92427ae41e4 HEAD\0multi_ack",
                );
                drop(conn);
            } else {
                held.push(conn);
            }
        }
    });
    port
}

/// `overleg sync` of `store` by the real binary, with a network limit of two seconds for this
/// process only; its output and what it wrote to stderr.
fn sync_with_short_limit(w: &World, store: &Store) -> (std::process::Output, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_overleg"));
    git_env(&mut cmd, &w.home());
    let out = cmd
        .arg("--repo")
        .arg(store.root())
        .arg("sync")
        .env("OVERLEG_NET_TIMEOUT", "2")
        .output()
        .expect("overleg sync");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, text)
}

#[test]
fn a_hanging_or_dropping_server_times_out_with_a_clear_message_and_keeps_local_work() {
    let w = World::new();
    for mode in ["hang", "drop"] {
        let port = faulty_server(mode);
        let ezk = w.clone(
            &format!("EZK{mode}"),
            &format!("git://127.0.0.1:{port}/agenda.git"),
        );
        set(&ezk, "actions/a-1.toml", "status", "gereed");
        let before = head(&ezk);
        let (out, text) = sync_with_short_limit(&w, &ezk);
        assert!(
            !out.status.success(),
            "{mode}: sync succeeded against a faulty server"
        );
        assert!(text.contains("cannot reach the server"), "{mode}: {text}");
        if mode == "hang" {
            assert!(text.contains("did not answer within 2 seconds"), "{text}");
        }
        assert!(text.contains("Your work is kept"), "{mode}: {text}");
        assert_eq!(head(&ezk), before, "{mode}: local work moved");
        assert_eq!(
            field(&ezk, "actions/a-1.toml", "status").as_deref(),
            Some("gereed")
        );
    }
}

/// The server's messages (here a hook's, with a progress counter, a line written in pieces
/// and an escape sequence) reach the user as whole, safe lines: the library's events say
/// which lines are counter steps, and `overleg sync` writes to a log only the lines for good.
#[test]
fn the_servers_messages_arrive_as_whole_safe_lines() {
    let w = World::new();
    let hook = w.server.join("hooks").join("pre-receive");
    std::fs::create_dir_all(hook.parent().expect("hooks")).expect("hooks");
    std::fs::write(
        &hook,
        "#!/bin/sh\ncat >/dev/null\nprintf 'Controle 1/2\\r' >&2\nprintf 'Controle 2/2\\r' >&2\nprintf 'Controle klaar\\n' >&2\nprintf 'Welkom bij ' >&2\nprintf 'de server\\n' >&2\nprintf '\\033[31mrood\\n' >&2\n",
    )
    .expect("hook");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let (_daemon, url) = git_daemon(&w);
    let ezk = w.clone("EZK", &url);

    set(&ezk, "actions/a-1.toml", "status", "gereed");
    let mut events = Vec::new();
    let r = sync::sync(&ezk, &SyncOptions::default(), &mut |e| {
        events.push(e.clone())
    })
    .expect("sync");
    assert!(r.pushed);
    let said = |progress: bool| -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                sync::Event::Remote(m) if !progress => Some(m.clone()),
                sync::Event::RemoteProgress(m) if progress => Some(m.clone()),
                _ => None,
            })
            .filter(|m| !m.starts_with("Resolving deltas"))
            .collect()
    };
    assert_eq!(
        said(false),
        ["Controle klaar", "Welkom bij de server", "␛[31mrood"],
        "{events:?}"
    );
    assert_eq!(said(true), ["Controle 1/2", "Controle 2/2"], "{events:?}");

    set(&ezk, "actions/a-1.toml", "status", "lopend");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_overleg"));
    git_env(&mut cmd, &w.home());
    let out = cmd
        .current_dir(ezk.root())
        .arg("sync")
        .stdin(Stdio::null())
        .output()
        .expect("run overleg");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let remote: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("remote:") && !l.contains("Resolving deltas"))
        .collect();
    assert_eq!(
        remote,
        [
            "remote: Controle klaar",
            "remote: Welkom bij de server",
            "remote: ␛[31mrood"
        ],
        "{err}"
    );
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
}

/// Two thousand actions added by EZK and pushed; BZK's clone of the result. `prepare` is
/// done to each clone first.
fn large_folder(w: &World, url: &str, prepare: &dyn Fn(&Store)) -> (Store, Store) {
    let ezk = w.clone("EZK", url);
    prepare(&ezk);
    for i in 2..2002 {
        let text = ACTION
            .replace("a-1", &format!("a-{i}"))
            .replace("2021-02-A1", &format!("2021-02-A{i}"));
        std::fs::write(ezk.root().join(format!("actions/a-{i}.toml")), text).expect("record");
    }
    commit_actions(&ezk, "EZK: 2000 acties");
    assert!(sync(&ezk).expect("sync").pushed);
    let bzk = w.clone("BZK", url);
    prepare(&bzk);
    (ezk, bzk)
}

/// Commit what was written to EZK's `actions` folder, as git would (not through overleg).
fn commit_actions(ezk: &Store, summary: &str) {
    let repo = ezk.repo().expect("repo");
    let mut index = repo.index().expect("index");
    index
        .add_all(["actions"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let sig = Signature::now("Secretariaat EZK", "s@ezk.example.invalid").expect("sig");
    let parent = repo.head().expect("head").peel_to_commit().expect("commit");
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        &format!("{summary}\n\nOverleg-Department: EZK\n"),
        &tree,
        &[&parent],
    )
    .expect("commit");
}

/// A sync over git:// sends what the server lacks, the folder's tree as a delta on the
/// server's own: one changed action of 2,000 is about a kilobyte, where the folder's tree
/// alone is tens of kilobytes (libgit2's push sends it whole, every time). The server takes
/// it as git does (completing the pack from its own objects) and `git fsck` finds it whole.
#[test]
fn one_changed_record_goes_to_a_git_server_as_a_kilobyte_not_its_whole_folder() {
    let w = World::new();
    let (_daemon, url) = git_daemon(&w);
    one_changed_record_is_a_kilobyte(&w, &url, &|_| {});
}

/// The same through smart HTTP with a password from the user's credential helper.
#[test]
fn one_changed_record_goes_to_an_http_server_as_a_kilobyte_not_its_whole_folder() {
    let w = World::new();
    let url = http_server(&w, "secretariaat", "juist-wachtwoord");
    one_changed_record_is_a_kilobyte(&w, &url, &|s| {
        let name = s
            .root()
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        credential_helper(&w, s, "secretariaat", "juist-wachtwoord", &name);
    });
}

fn one_changed_record_is_a_kilobyte(w: &World, url: &str, prepare: &dyn Fn(&Store)) {
    let (ezk, bzk) = large_folder(w, url, prepare);
    set(&bzk, "actions/a-700.toml", "status", "gereed");
    let mut sent = 0;
    let r = sync::sync(&bzk, &SyncOptions::default(), &mut |e| {
        if let sync::Event::Push { bytes, .. } = e {
            sent = sent.max(*bytes);
        }
    })
    .expect("sync");
    assert!(r.pushed);
    let repo = bzk.repo().expect("repo");
    let folder = repo
        .head()
        .expect("head")
        .peel_to_tree()
        .expect("tree")
        .get_path(Path::new("actions"))
        .expect("actions")
        .id();
    let (folder_size, _) = repo.odb().expect("odb").read_header(folder).expect("size");
    assert!(
        sent > 0 && sent < 2_000 && folder_size > 50_000,
        "sent {sent} bytes; the folder's tree is {folder_size}"
    );
    assert_eq!(w.server_main(), head(&bzk));
    assert_eq!(
        w.server_file("actions/a-700.toml")
            .and_then(|t| t.contains("gereed").then_some(())),
        Some(())
    );
    fsck(w, &w.server);
    // the other department merges it with a change of its own and pushes the merge
    set(&ezk, "actions/a-1500.toml", "status", "vervallen");
    let r = sync(&ezk).expect("sync");
    assert!(r.pushed && r.incoming > 0, "{r:?}");
    fsck(w, &w.server);
    assert_eq!(w.server_main(), head(&ezk));
}

/// A git server that does not take pushes says so; the commit stays here, the server as it was.
#[test]
fn a_git_server_that_takes_no_pushes_says_so_and_keeps_local_work() {
    let w = World::new();
    let (_daemon, url) = git_daemon_taking_pushes(&w, false);
    let ezk = w.clone("EZK", &url);
    let before = w.server_main();
    set(&ezk, "actions/a-1.toml", "status", "gereed");
    let saved = head(&ezk);
    let e = sync(&ezk).expect_err("pushed to a server that takes no pushes");
    let text = e.to_string();
    assert!(
        text.contains("refused") && text.contains("does not take this push"),
        "{text}"
    );
    assert_eq!(head(&ezk), saved);
    assert_eq!(w.server_main(), before);
    assert_eq!(
        field(&ezk, "actions/a-1.toml", "status").as_deref(),
        Some("gereed")
    );
}

/// A hook of the server's that refuses, through smart HTTP: the sync says so in the server's
/// words, made safe; the commit stays here and the server's branch where it was.
#[test]
fn a_refusing_hook_behind_smart_http_is_said_in_its_words() {
    let w = World::new();
    let hook = w.server.join("hooks").join("pre-receive");
    std::fs::create_dir_all(hook.parent().expect("hooks")).expect("hooks");
    std::fs::write(
        &hook,
        "#!/bin/sh\ncat >/dev/null\nprintf 'Alleen de secretaris mag dit \\033[31mnu\\n' >&2\nexit 1\n",
    )
    .expect("hook");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let url = http_server(&w, "secretariaat", "juist-wachtwoord");
    let ezk = w.clone("EZK", &url);
    credential_helper(&w, &ezk, "secretariaat", "juist-wachtwoord", "ezk");
    let before = w.server_main();
    set(&ezk, "actions/a-1.toml", "status", "gereed");
    let saved = head(&ezk);
    let mut said = Vec::new();
    let e = sync::sync(&ezk, &SyncOptions::default(), &mut |e| {
        if let sync::Event::Remote(m) = e {
            said.push(m.clone());
        }
    })
    .expect_err("a refusing hook");
    assert!(matches!(e, SyncError::Rejected { .. }), "{e}");
    assert!(e.to_string().contains("hook declined"), "{e}");
    assert!(
        said.iter()
            .any(|m| m == "Alleen de secretaris mag dit ␛[31mnu"),
        "{said:?}"
    );
    assert_eq!(w.server_main(), before);
    assert_eq!(head(&ezk), saved);
}

/// A fetch names to the server only the commit it last fetched (and our branch): each commit
/// named costs the server a walk of that commit's whole tree, and libgit2 names twenty or more.
/// What comes back is a thin pack, the changed records as deltas on the versions here; it is
/// taken in whole (`git fsck` finds every object, the incoming values are in the records).
#[test]
fn a_fetch_names_one_commit_of_ours_and_takes_a_thin_pack_in_whole() {
    let w = World::new();
    let trace = packets(&w);
    let (_daemon, url) = git_daemon(&w);
    fetch_names_one_commit(&w, &url, &trace, &|_| {});
}

/// The same through smart HTTP with a password from the user's credential helper.
#[test]
fn a_fetch_over_smart_http_names_one_commit_of_ours_and_takes_a_thin_pack_in_whole() {
    let w = World::new();
    let trace = packets(&w);
    let url = http_server(&w, "secretariaat", "juist-wachtwoord");
    fetch_names_one_commit(&w, &url, &trace, &|s| {
        let name = s
            .root()
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        credential_helper(&w, s, "secretariaat", "juist-wachtwoord", &name);
    });
}

fn fetch_names_one_commit(w: &World, url: &str, trace: &Path, prepare: &dyn Fn(&Store)) {
    let (ezk, bzk) = large_folder(w, url, prepare);
    // a history of BZK's own on the server
    for i in 0..12 {
        set(
            &bzk,
            &format!("actions/a-{}.toml", 100 + i),
            "status",
            "gereed",
        );
        assert!(sync(&bzk).expect("sync").pushed);
    }
    assert!(sync(&ezk).expect("sync").incoming > 0);
    for i in 1000..1300 {
        let text = ACTION
            .replace("a-1", &format!("a-{i}"))
            .replace("2021-02-A1", &format!("2021-02-A{i}"))
            .replace("status = \"open\"", "status = \"vervallen\"");
        std::fs::write(ezk.root().join(format!("actions/a-{i}.toml")), text).expect("record");
    }
    commit_actions(&ezk, "EZK: 300 acties vervallen");
    assert!(sync(&ezk).expect("sync").pushed);
    std::fs::write(trace, "").expect("empty the trace");
    let r = sync(&bzk).expect("sync");
    assert!(r.incoming >= 300, "{r:?}");
    let spoken = std::fs::read_to_string(trace).expect("trace");
    let asked: Vec<&str> = spoken
        .lines()
        .filter(|l| l.contains("upload-pack< want ") || l.contains("upload-pack< have "))
        .collect();
    assert!(
        asked.first().is_some_and(|l| l.contains("agent=overleg/")),
        "{asked:#?}"
    );
    let haves = asked.iter().filter(|l| l.contains("< have ")).count();
    assert!((1..=2).contains(&haves), "{asked:#?}");
    assert_eq!(
        field(&bzk, "actions/a-1150.toml", "status").as_deref(),
        Some("vervallen")
    );
    assert_eq!(head(&bzk), w.server_main());
    fsck(w, &bzk.root().join(".git"));
}

/// A server that advertises its branch, takes the request and then stops half way through the
/// pack: the sync says the server stopped answering, asks it once (libgit2 asking again would
/// double the wait) and keeps the local work.
#[test]
fn a_server_that_stalls_in_the_middle_of_a_fetch_is_reported_once() {
    let w = World::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&connections);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().take(20) {
            let Ok(mut conn) = conn else { continue };
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut conn, &mut buf);
            let line = "1111111111111111111111111111111111111111 refs/heads/main\0side-band-64k thin-pack ofs-delta\n";
            let adv = format!("{:04x}{line}0000", line.len() + 4);
            let _ = std::io::Write::write_all(&mut conn, adv.as_bytes());
            let _ = std::io::Read::read(&mut conn, &mut buf);
            let _ =
                std::io::Write::write_all(&mut conn, b"0008NAK\n0011\x01PACK\0\0\0\x02\0\0\0\x05");
            held.push(conn);
        }
    });
    let ezk = w.clone("EZK", &format!("git://127.0.0.1:{port}/agenda.git"));
    set(&ezk, "actions/a-1.toml", "status", "gereed");
    let before = head(&ezk);
    let (out, text) = sync_with_short_limit(&w, &ezk);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("did not answer within 2 seconds"), "{text}");
    assert!(text.contains("Your work is kept"), "{text}");
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(head(&ezk), before);
}
