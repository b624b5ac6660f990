//! Exports of the bundled example, compared with the files in tests/golden/.
//! `UPDATE_GOLDEN=1 cargo test --test export_golden` rewrites them.
//! Also: the HTML rendered by a real headless browser, and the .ics parsed back.

use std::path::{Path, PathBuf};
use std::process::Command;

use overleg::export::{self, ConfidentialMode, Format, Ground, Options, Woo};
use overleg::model::{Agenda, Date};

/// "Today" for every golden: a week after the 4th Beraad.
const TODAY: &str = "2021-02-15";

fn today() -> Date {
    Date::parse_iso(TODAY).unwrap()
}

fn bundled() -> Agenda {
    let files = overleg::store::bundled::FILES.iter().map(|(p, b)| (*p, *b));
    let a = export::agenda_from_files(files);
    assert!(
        !a.meetings.is_empty(),
        "the bundled example (agenda/) has no meetings"
    );
    a
}

fn opts() -> Options {
    Options {
        today: today(),
        woo: None,
        members: false,
        aan: None,
        kenmerk: None,
        actions: false,
    }
}

fn woo(confidential: ConfidentialMode) -> Options {
    Options {
        woo: Some(Woo {
            ground: Ground::Woo,
            confidential,
        }),
        ..opts()
    }
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A small line diff: the differing region with some context.
fn diff(want: &str, got: &str) -> String {
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let mut start = 0;
    while start < w.len() && start < g.len() && w[start] == g[start] {
        start += 1;
    }
    let (mut ew, mut eg) = (w.len(), g.len());
    while ew > start && eg > start && w[ew - 1] == g[eg - 1] {
        ew -= 1;
        eg -= 1;
    }
    let mut out = String::new();
    let ctx = start.saturating_sub(3);
    for (i, l) in w.iter().enumerate().take(start).skip(ctx) {
        out.push_str(&format!("  {:4} {l}\n", i + 1));
    }
    for (i, l) in w.iter().enumerate().take(ew.min(start + 40)).skip(start) {
        out.push_str(&format!("- {:4} {l}\n", i + 1));
    }
    for (i, l) in g.iter().enumerate().take(eg.min(start + 40)).skip(start) {
        out.push_str(&format!("+ {:4} {l}\n", i + 1));
    }
    out
}

/// Compare with the golden file; collect a failure instead of panicking at the first one.
fn check(name: &str, got: &str, failures: &mut Vec<String>) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    match std::fs::read_to_string(&path) {
        Err(_) => failures.push(format!(
            "{name}: no golden file {} (run UPDATE_GOLDEN=1 cargo test --test export_golden)",
            path.display()
        )),
        Ok(want) if want == got => {}
        Ok(want) => failures.push(format!(
            "{name} differs from its golden file (- golden, + now; UPDATE_GOLDEN=1 to accept):\n{}",
            diff(&want, got)
        )),
    }
}

const BERAAD: &str = "beraad-2021-02-08";
const DO_NDS: &str = "do-nds-2021-01-26";

#[test]
fn golden_files() {
    let a = bundled();
    let mut f = Vec::new();
    let md = Format::Markdown;
    let html = Format::Html;
    let csv = Format::Csv;
    let ag = |m: &str, fmt: Format, o: &Options| export::agenda::export(&a, m, fmt, o).unwrap();
    let be = |m: &str, fmt: Format, o: &Options| export::besluiten::export(&a, m, fmt, o).unwrap();

    let mut kenmerk = opts();
    kenmerk.kenmerk = Some("DGBI-DE / 21025076".into());
    check("agenda-beraad.md", &ag(BERAAD, md, &kenmerk).text, &mut f);
    check(
        "agenda-beraad.html",
        &ag(BERAAD, html, &kenmerk).text,
        &mut f,
    );
    let mut members = kenmerk.clone();
    members.members = true;
    let leden = ag(BERAAD, md, &members).text;
    assert!(
        !leden.contains("Spreekpunten"),
        "members' variant has spreekpunten"
    );
    check("agenda-beraad-leden.md", &leden, &mut f);
    check("agenda-do-nds.md", &ag(DO_NDS, md, &opts()).text, &mut f);
    let w = ag(BERAAD, md, &woo(ConfidentialMode::Mark));
    check("agenda-beraad-woo.md", &w.text, &mut f);
    check(
        "agenda-beraad-woo.report.txt",
        &w.report.unwrap().render(),
        &mut f,
    );
    check(
        "agenda-beraad-woo-weggelaten.md",
        &ag(BERAAD, md, &woo(ConfidentialMode::Omit)).text,
        &mut f,
    );

    check("besluiten-beraad.md", &be(BERAAD, md, &opts()).text, &mut f);
    check("besluiten-do-nds.md", &be(DO_NDS, md, &opts()).text, &mut f);
    check(
        "besluiten-do-nds.html",
        &be(DO_NDS, html, &opts()).text,
        &mut f,
    );
    check(
        "besluiten-do-nds.csv",
        &be(DO_NDS, csv, &opts()).text,
        &mut f,
    );
    let mut wob = woo(ConfidentialMode::Omit);
    wob.woo = Some(Woo {
        ground: Ground::Wob,
        confidential: ConfidentialMode::Omit,
    });
    check(
        "besluiten-do-nds-wob.md",
        &be(DO_NDS, md, &wob).text,
        &mut f,
    );

    let mut with_actions = opts();
    with_actions.actions = true;
    check(
        "overleg.ics",
        &export::calendar::ics(&a, &with_actions).text,
        &mut f,
    );
    let mut woo_actions = woo(ConfidentialMode::Omit);
    woo_actions.actions = true;
    check(
        "overleg-woo.ics",
        &export::calendar::ics(&a, &woo_actions).text,
        &mut f,
    );
    check(
        "kalender.md",
        &export::calendar::kalender(&a, md, &opts()).unwrap().text,
        &mut f,
    );
    check(
        "kalender.csv",
        &export::calendar::kalender(&a, csv, &opts()).unwrap().text,
        &mut f,
    );
    check(
        "kalender-woo.md",
        &export::calendar::kalender(&a, md, &woo(ConfidentialMode::Omit))
            .unwrap()
            .text,
        &mut f,
    );
    assert!(f.is_empty(), "{}", f.join("\n\n"));
}

#[test]
fn unknown_meeting_and_format_are_clear_errors() {
    let a = bundled();
    let e = export::agenda::export(&a, "nergens-2099", Format::Markdown, &opts()).unwrap_err();
    assert!(e.to_string().contains("no meeting `nergens-2099`"));
    let e = export::agenda::export(&a, BERAAD, Format::Csv, &opts()).unwrap_err();
    assert!(e.to_string().contains("md, html, pdf"), "{e}");
}

// ---------------------------------------------------------------- calendar parsed back

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(x) => out.push(x),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn ics_parses_back_field_by_field() {
    let a = bundled();
    let mut o = opts();
    o.actions = true;
    let text = export::calendar::ics(&a, &o).text;
    // every physical line at most 75 octets, CRLF everywhere
    for l in text.split("\r\n") {
        assert!(l.len() <= 75, "line of {} octets: {l}", l.len());
        assert!(!l.contains('\n'), "bare LF in {l:?}");
    }
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser
        .next()
        .expect("one calendar")
        .expect("the calendar parses");
    assert!(parser.next().is_none(), "exactly one calendar");
    let prop = |props: &[ical::property::Property], name: &str| -> Option<String> {
        props
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
    };
    assert_eq!(prop(&cal.properties, "VERSION").as_deref(), Some("2.0"));
    assert!(prop(&cal.properties, "PRODID").is_some());
    assert_eq!(cal.timezones.len(), 1, "one VTIMEZONE");
    assert_eq!(
        prop(&cal.timezones[0].properties, "TZID").as_deref(),
        Some("Europe/Amsterdam")
    );

    // as many events as dated meetings plus open follow-ups with a due window
    let dated = a.meetings.iter().filter(|m| m.date.is_some()).count();
    let due = a
        .actions
        .iter()
        .filter(|x| x.status.is_active())
        .filter(|x| {
            overleg::model::agenda::due_of(x)
                .and_then(|d| d.end)
                .is_some()
        })
        .count();
    assert_eq!(cal.events.len(), dated + due);
    let mut uids = std::collections::HashSet::new();
    for e in &cal.events {
        let uid = prop(&e.properties, "UID").expect("UID");
        assert!(uids.insert(uid.clone()), "duplicate UID {uid}");
        assert!(prop(&e.properties, "DTSTAMP").is_some(), "{uid}: DTSTAMP");
        assert!(prop(&e.properties, "DTSTART").is_some(), "{uid}: DTSTART");
        assert!(prop(&e.properties, "SUMMARY").is_some(), "{uid}: SUMMARY");
    }

    // the 4th Beraad, field by field
    let m = a
        .meetings
        .iter()
        .find(|m| m.id == "m-beraad-2021-02-08")
        .unwrap();
    let ev = cal
        .events
        .iter()
        .find(|e| {
            prop(&e.properties, "UID").as_deref() == Some("m-beraad-2021-02-08@overleg.invalid")
        })
        .expect("the Beraad event");
    let p = |n: &str| prop(&ev.properties, n).unwrap_or_default();
    let param = |n: &str, key: &str| -> Option<Vec<String>> {
        ev.properties
            .iter()
            .find(|x| x.name == n)
            .and_then(|x| x.params.as_ref())
            .and_then(|ps| ps.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    };
    assert_eq!(p("DTSTART"), "20210208T160000");
    assert_eq!(
        param("DTSTART", "TZID"),
        Some(vec!["Europe/Amsterdam".to_string()])
    );
    assert_eq!(p("DTEND"), "20210208T180000");
    assert_eq!(unescape(&p("SUMMARY")), m.title);
    assert_eq!(p("DTSTAMP"), "20210215T000000Z");
    assert_eq!(p("STATUS"), "CONFIRMED");
    assert_eq!(p("CLASS"), "CONFIDENTIAL");
    let desc = unescape(&p("DESCRIPTION"));
    assert!(desc.contains("Beraad Nederland Digitaal"), "{desc}");
    for it in a.items_of(&m.id) {
        assert!(
            desc.contains(&format!("{}. {}", it.label, it.title)),
            "item {} missing in {desc}",
            it.label
        );
    }
    let loc = unescape(&p("LOCATION"));
    assert!(loc.starts_with(&m.venue), "{loc}");

    // a follow-up deadline: an all-day event on the last day of its window
    let act = a
        .actions
        .iter()
        .find(|x| x.status.is_active() && x.due == "april 2021")
        .expect("an open action due april 2021");
    let ev = cal
        .events
        .iter()
        .find(|e| prop(&e.properties, "UID") == Some(format!("{}@overleg.invalid", act.id)))
        .expect("the action's event");
    assert_eq!(prop(&ev.properties, "DTSTART").as_deref(), Some("20210430"));
    assert_eq!(prop(&ev.properties, "DTEND").as_deref(), Some("20210501"));
    let summary = unescape(&prop(&ev.properties, "SUMMARY").unwrap());
    assert_eq!(
        summary,
        format!("Deadline {}: {}", act.reference, act.title)
    );
}

// ---------------------------------------------------------------- real browser

fn chromium() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/bin/chromium");
    if p.is_file() {
        return Some(p);
    }
    let msg = "chromium not found at /usr/bin/chromium: the HTML/PDF rendering test needs it (apt-get install chromium)";
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("NOTICE: skipped: {msg}");
    None
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("overleg-export-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Page objects in a PDF: `/Type /Page` (not `/Pages`).
fn count_pages(pdf: &[u8]) -> usize {
    let mut n = 0;
    for i in 0..pdf.len() {
        for pat in [&b"/Type /Page"[..], &b"/Type/Page"[..]] {
            if pdf[i..].starts_with(pat) && pdf.get(i + pat.len()) != Some(&b's') {
                n += 1;
            }
        }
    }
    n
}

/// Renders the agenda HTML in headless Chromium, to a PDF and to a screenshot.
#[test]
fn html_renders_in_a_real_browser() {
    let Some(browser) = chromium() else { return };
    let a = bundled();
    let dir = temp_dir("browser");
    let html = export::agenda::export(&a, BERAAD, Format::Html, &opts())
        .unwrap()
        .text;
    let page = dir.join("agenda.html");
    std::fs::write(&page, &html).unwrap();
    let pdf = dir.join("agenda.pdf");
    let png = dir.join("agenda.png");
    let run = |extra: Vec<String>| {
        let out = Command::new(&browser)
            .args(overleg::cli::export::chromium_args(&dir.join("profile")))
            .arg("--enable-logging=stderr")
            .arg("--v=0")
            .args(extra)
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("chromium runs");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "chromium failed: {err}");
        let console: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Refused to"))
            .collect();
        assert!(console.is_empty(), "console errors: {console:#?}");
    };
    run(vec![
        "--no-pdf-header-footer".into(),
        format!("--print-to-pdf={}", pdf.display()),
    ]);
    let bytes = std::fs::read(&pdf).expect("a PDF was made");
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    assert!(bytes.len() > 10_000, "PDF of {} bytes", bytes.len());
    // an annotated agenda of six items is several A4 pages
    let pages = count_pages(&bytes);
    assert!(pages >= 2, "{pages} pages");
    run(vec![
        "--window-size=1000,1400".into(),
        "--hide-scrollbars".into(),
        format!("--screenshot={}", png.display()),
    ]);
    let img = std::fs::read(&png).expect("a screenshot was made");
    assert!(img.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        img.len() > 20_000,
        "PNG of {} bytes: blank page?",
        img.len()
    );
    if std::env::var_os("KEEP_RENDER").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("rendered: {} {}", pdf.display(), png.display());
    }
}
