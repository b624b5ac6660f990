//! Just enough HTTP/1.1 for a push to a smart-HTTP server: one request per connection, its
//! answer read whole; TLS through the OpenSSL libgit2 links, trusting the certificates a sync
//! trusts (`crate::tls`).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use super::own_push::{connect_tcp, host_and_port};

/// Where an `http(s)://` URL points.
#[derive(Debug, PartialEq)]
pub(crate) struct HttpUrl {
    pub(crate) tls: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The host part as written, for the `Host` header.
    pub(crate) authority: String,
    /// The repository's path, without a trailing `/`.
    pub(crate) path: String,
    pub(crate) user: Option<String>,
    pub(crate) password: Option<String>,
}

/// An `http://` or `https://` URL read; `None` for anything else.
pub(crate) fn parse_http_url(url: &str) -> Option<HttpUrl> {
    let (tls, rest) = match url.split_once("://")? {
        ("https", r) => (true, r),
        ("http", r) => (false, r),
        _ => return None,
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    if path.contains(['?', '#']) || authority.contains('%') {
        return None;
    }
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((n, p)) => (Some(n.to_string()), Some(p.to_string())),
            None => (Some(u.to_string()), None),
        },
        None => (None, None),
    };
    let default = if tls { 443 } else { 80 };
    let (host, port) = host_and_port(hostport, default)?;
    let unsafe_text = |t: &str| t.chars().any(|c| c.is_control() || c == ' ');
    if host.is_empty() || unsafe_text(path) || unsafe_text(hostport) {
        return None;
    }
    Some(HttpUrl {
        tls,
        host: host.to_string(),
        port,
        authority: hostport.to_string(),
        path: path.trim_end_matches('/').to_string(),
        user,
        password,
    })
}

/// A connection, plain or through TLS.
enum Conn {
    Plain(TcpStream),
    Tls(Box<openssl::ssl::SslStream<TcpStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// Why a request did not get its answer.
pub(crate) enum Failed {
    Io(io::Error),
    Certificate(String),
}

impl From<io::Error> for Failed {
    fn from(e: io::Error) -> Failed {
        Failed::Io(e)
    }
}

fn connect(u: &HttpUrl) -> Result<Conn, Failed> {
    let tcp = connect_tcp(&u.host, u.port)?;
    if !u.tls {
        return Ok(Conn::Plain(tcp));
    }
    let tls_error =
        |e: &dyn std::fmt::Display| Failed::Certificate(crate::text::line(&e.to_string()));
    let mut b = openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls_client())
        .map_err(|e| tls_error(&e))?;
    match crate::tls::locations() {
        Some((file, dir)) => {
            if let Some(f) = file.filter(|f| f.is_file()) {
                b.set_ca_file(&f).map_err(|e| tls_error(&e))?;
            }
            if let Some(d) = dir.filter(|d| d.is_dir()) {
                b.cert_store_mut()
                    .add_lookup(openssl::x509::store::X509Lookup::hash_dir())
                    .and_then(|l| l.add_dir(&d.to_string_lossy(), openssl::ssl::SslFiletype::PEM))
                    .map_err(|e| tls_error(&e))?;
            }
        }
        None => b.set_default_verify_paths().map_err(|e| tls_error(&e))?,
    }
    let tls = b.build().connect(&u.host, tcp).map_err(|e| match e {
        openssl::ssl::HandshakeError::Failure(m) => {
            let verify = m.ssl().verify_result();
            if verify == openssl::x509::X509VerifyResult::OK {
                Failed::Io(io::Error::other(m.into_error().to_string()))
            } else {
                tls_error(&format!(
                    "the server's certificate was not accepted: {verify}"
                ))
            }
        }
        other => tls_error(&other),
    })?;
    Ok(Conn::Tls(Box::new(tls)))
}

/// An answer: its status, its headers (names in lower case) and its body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The most of an answer's head this reads.
const MAX_HEAD: usize = 64 * 1024;

/// The most of an answer's body this reads: the references of a repository with hundreds of
/// thousands of branches, or a report; a server sending more is not a git server.
const MAX_BODY: u64 = 64 * 1024 * 1024;

fn read_answer(conn: impl Read) -> io::Result<Answer> {
    let bad = |what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the server's answer: {what}"),
        )
    };
    let mut r = BufReader::new(conn);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| line.starts_with("HTTP/1."))
        .ok_or_else(|| bad("not HTTP"))?;
    let mut headers = Vec::new();
    let mut head = line.len();
    loop {
        let mut h = String::new();
        head += r.read_line(&mut h)?;
        if head > MAX_HEAD {
            return Err(bad("headers too long"));
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut answer = Answer {
        status,
        headers,
        body: Vec::new(),
    };
    let chunked = answer
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"));
    let too_large = || bad("an answer larger than a git server sends");
    if chunked {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = u64::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| bad("a chunk size that is not one"))?;
            if n == 0 {
                break;
            }
            if answer.body.len() as u64 + n > MAX_BODY {
                return Err(too_large());
            }
            (&mut r).take(n).read_to_end(&mut answer.body)?;
            let mut end = [0u8; 2];
            r.read_exact(&mut end)?;
        }
    } else if let Some(n) = answer.header("content-length") {
        let n: u64 = n.parse().map_err(|_| bad("a length that is not one"))?;
        if n > MAX_BODY {
            return Err(too_large());
        }
        (&mut r).take(n).read_to_end(&mut answer.body)?;
        if answer.body.len() as u64 != n {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server's answer ended early",
            ));
        }
    } else {
        (&mut r).take(MAX_BODY + 1).read_to_end(&mut answer.body)?;
        if answer.body.len() as u64 > MAX_BODY {
            return Err(too_large());
        }
    }
    Ok(answer)
}

/// One request on a connection of its own.
pub(crate) fn send(
    u: &HttpUrl,
    method: &str,
    target: &str,
    auth: Option<&str>,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Result<Answer, Failed> {
    let mut conn = connect(u)?;
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nUser-Agent: git/2.0 (overleg {})\r\nAccept: */*\r\nPragma: no-cache\r\nConnection: close\r\n",
        u.authority,
        env!("CARGO_PKG_VERSION")
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(a) = auth {
        head.push_str(&format!("Authorization: Basic {a}\r\n"));
    }
    if method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())?;
    conn.write_all(body)?;
    conn.flush()?;
    Ok(read_answer(conn)?)
}

pub(crate) fn base64(input: &[u8]) -> String {
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
            out.push(if i <= chunk.len() {
                T[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls_are_read_with_their_credentials_apart() {
        let u = parse_http_url("https://jan:geheim@git.example.org/nds/agenda.git/").expect("url");
        assert_eq!(
            (
                u.tls,
                u.host.as_str(),
                u.port,
                u.path.as_str(),
                u.authority.as_str()
            ),
            (
                true,
                "git.example.org",
                443,
                "/nds/agenda.git",
                "git.example.org"
            )
        );
        assert_eq!(
            (u.user.as_deref(), u.password.as_deref()),
            (Some("jan"), Some("geheim"))
        );
        let u = parse_http_url("http://127.0.0.1:8080/agenda.git").expect("url");
        assert_eq!((u.tls, u.port, u.user), (false, 8080, None));
        let u = parse_http_url("https://[::1]:8443/a.git").expect("url");
        assert_eq!(
            (u.host.as_str(), u.port, u.authority.as_str()),
            ("::1", 8443, "[::1]:8443")
        );
        for not in [
            "git://h/a.git",
            "ssh://h/a.git",
            "https://h/a.git?x=1",
            "https://h:port/a",
            "http://h\r\nX-Token: 1/a.git",
            "http://h/a b.git",
        ] {
            assert!(parse_http_url(not).is_none(), "{not}");
        }
    }

    #[test]
    fn basic_credentials_are_encoded_as_rfc_4648_says() {
        assert_eq!(
            base64(b"secretariaat:juist-wachtwoord"),
            "c2VjcmV0YXJpYWF0Omp1aXN0LXdhY2h0d29vcmQ="
        );
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn answers_are_read_by_length_in_chunks_or_to_the_end_and_bounded() {
        let a = read_answer(
            &b"HTTP/1.1 200 OK\r\nContent-Type: x\r\nContent-Length: 5\r\n\r\nhallo, meer"[..],
        )
        .expect("length");
        assert_eq!(
            (a.status, a.header("content-type"), &a.body[..]),
            (200, Some("x"), &b"hallo"[..])
        );
        let a = read_answer(
            &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhal\r\n2;x=y\r\nlo\r\n0\r\n\r\n"[..],
        )
        .expect("chunked");
        assert_eq!(&a.body[..], b"hallo");
        let a = read_answer(&b"HTTP/1.0 401 Unauthorized\r\n\r\nnee"[..]).expect("to the end");
        assert_eq!((a.status, &a.body[..]), (401, &b"nee"[..]));
        for bad in [
            &b"SSH-2.0-OpenSSH\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nkort",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ] {
            assert!(
                read_answer(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
