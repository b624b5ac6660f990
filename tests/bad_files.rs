//! Bad repository content is reported with file, line and field; the rest keeps loading and
//! the bad files are left exactly as they were.

mod common;

use common::*;

/// (file, content, expected `file:line:` prefix, expected text in the same line)
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
    let action = |extra: &str| {
        format!(
            "id = \"ID\"\nref = \"2099-01-A1\"\ntitle = \"Bad\"\nowner = \"EZK\"\nstatus = \"open\"\n{extra}"
        )
    };
    let with_id = |id: &str, extra: &str| action(extra).replace("ID", id).into_bytes();
    vec![
        ("actions/a-syntax.toml", b"id = \"a-syntax\"\ntitle = \"unterminated\nstatus = \"open\"\n".to_vec(), "actions/a-syntax.toml:2:", ""),
        ("actions/a-type.toml", with_id("a-type", "").replace_title(), "actions/a-type.toml:3:", "title:"),
        ("actions/a-enum.toml", String::from_utf8(with_id("a-enum", "")).unwrap_or_default().replace("\"open\"", "\"klaar\"").into_bytes(), "actions/a-enum.toml:5:", "status: unknown value `klaar`"),
        ("actions/a-missing.toml", b"id = \"a-missing\"\nref = \"2099-01-A2\"\nowner = \"EZK\"\nstatus = \"open\"\n".to_vec(), "actions/a-missing.toml:1:", "title: missing field"),
        ("actions/a-dangling.toml", with_id("a-dangling", "meeting = \"m-bestaat-niet\"\n"), "actions/a-dangling.toml:6:", "meeting: no meeting `m-bestaat-niet`"),
        ("actions/a-badowner.toml", String::from_utf8(with_id("a-badowner", "")).unwrap_or_default().replace("owner = \"EZK\"", "owner = \"XYZ/DE\"").into_bytes(), "actions/a-badowner.toml:4:", "owner: no organisation with code `XYZ`"),
        ("actions/a-conflict.toml", b"id = \"a-conflict\"\n<<<<<<< HEAD\nstatus = \"open\"\n=======\nstatus = \"gereed\"\n>>>>>>> origin/main\n".to_vec(), "actions/a-conflict.toml:2:", "conflict marker"),
        ("actions/a-latin1.toml", b"id = \"a-latin1\"\ntitle = \"Financi\xebn\"\n".to_vec(), "actions/a-latin1.toml:2:", "not valid UTF-8"),
        ("actions/a-empty.toml", Vec::new(), "actions/a-empty.toml:1:", "empty file"),
        ("actions/m-wrongfolder.toml", b"id = \"m-wrongfolder\"\nbody = \"beraad\"\ntitle = \"Verdwaald\"\nstatus = \"gepland\"\nref = \"x\"\nowner = \"EZK\"\n".to_vec(), "actions/m-wrongfolder.toml:", "belongs in meetings/"),
        ("actions/a-named.toml", with_id("a-othername", ""), "actions/a-named.toml:1:", "does not match the file name"),
        ("meetings/m-badtime.toml", b"id = \"m-badtime\"\nbody = \"beraad\"\ntitle = \"x\"\nstatus = \"gepland\"\nstart = \"25:00\"\n".to_vec(), "meetings/m-badtime.toml:5:", "start: `25:00` is not a time"),
    ]
}

trait ReplaceTitle {
    fn replace_title(self) -> Vec<u8>;
}
impl ReplaceTitle for Vec<u8> {
    fn replace_title(self) -> Vec<u8> {
        String::from_utf8(self)
            .unwrap_or_default()
            .replace("title = \"Bad\"", "title = 5")
            .into_bytes()
    }
}

#[test]
fn every_kind_of_bad_file_is_reported_precisely_and_the_rest_loads() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let count = |kind: &str| {
        json(&run_ok(env.overleg(&ezk).args(["list", kind, "--json"])))
            .as_array()
            .map_or(0, Vec::len)
    };
    let actions_before = count("actions");
    let meetings_before = count("meetings");
    // A duplicate of an existing action's id in another file.
    let existing = std::fs::read_dir(ezk.join("actions"))
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .min()
        .expect("one");
    let existing_id = existing
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .to_string();
    let dup_text = std::fs::read_to_string(&existing).expect("read");
    let mut all = cases();
    all.push((
        "actions/a-zzz-duplicate.toml",
        dup_text.into_bytes(),
        "actions/a-zzz-duplicate.toml:1:",
        "duplicate id",
    ));
    for (path, bytes, _, _) in &all {
        std::fs::write(ezk.join(path), bytes).expect("write bad file");
    }
    // A symlink to a file outside the repository is not followed.
    let outside = env.path().join("geheim.toml");
    std::fs::write(&outside, "id = \"a-link\"\n").expect("write");
    std::os::unix::fs::symlink(&outside, ezk.join("actions/a-link.toml")).expect("symlink");
    // A BOM and CRLF line ends are tolerated: the record loads.
    let crlf = "\u{feff}id = \"a-crlf\"\r\nref = \"2099-01-A9\"\r\ntitle = \"Windows\"\r\nowner = \"EZK\"\r\nstatus = \"open\"\r\n";
    std::fs::write(ezk.join("actions/a-crlf.toml"), crlf).expect("write");

    let o = env.overleg(&ezk).arg("check").output().expect("check");
    assert_eq!(o.status.code(), Some(1), "check must fail");
    let report = stdout(&o);
    for (_, _, prefix, text) in &all {
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(prefix) && l.contains(text)),
            "no line starting with {prefix:?} containing {text:?} in:\n{report}"
        );
    }
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("actions/a-link.toml:1:1:") && l.contains("symbolic link")),
        "{report}"
    );
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("actions/a-crlf.toml:1:1:") && l.contains("warning")),
        "{report}"
    );
    assert!(
        !report.contains(&existing_id) || report.contains("a-zzz-duplicate"),
        "{report}"
    );
    // The rest loads: the old actions plus the four readable-but-wrong ones (dangling meeting,
    // unknown owner and a misnamed file are loaded and reported; CRLF loads), not the broken ones.
    assert_eq!(count("actions"), actions_before + 4);
    assert_eq!(count("meetings"), meetings_before + 1); // m-badtime loads, its time is reported
    // list still works and bad files were not touched
    for (path, bytes, _, _) in &all {
        assert_eq!(
            &std::fs::read(ezk.join(path)).expect("read"),
            bytes,
            "{path} was changed"
        );
    }
    // JSON report carries the same facts.
    let o = env
        .overleg(&ezk)
        .args(["check", "--json"])
        .output()
        .expect("check");
    let problems = json(&stdout(&o));
    assert!(
        problems
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x["path"] == "actions/a-enum.toml"
                && x["field"] == "status"
                && x["line"] == 5))
    );
}

#[test]
fn terminal_escapes_in_records_are_shown_inert_by_the_cli() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let evil = "id = \"a-evil\"\nref = \"2099-01-A5\"\ntitle = \"Kop\\u001b]0;PWNED\\u0007 \\u001b]52;c;ZXZpbA==\\u0007\\u009b2J\\u202eeman\"\nowner = \"EZK\"\nstatus = \"open\"\n";
    std::fs::write(ezk.join("actions/a-evil.toml"), evil).expect("write");
    for args in [
        vec!["list", "actions"],
        vec!["show", "a-evil"],
        vec!["check"],
    ] {
        let o = env.overleg(&ezk).args(&args).output().expect("run");
        let out = [o.stdout.clone(), o.stderr.clone()].concat();
        assert!(!out.contains(&0x1b), "{args:?} printed an ESC byte");
        assert!(!out.contains(&0x07), "{args:?} printed a BEL byte");
        let s = String::from_utf8_lossy(&out);
        assert!(
            !s.contains('\u{9b}') && !s.contains('\u{202e}'),
            "{args:?} printed C1/bidi"
        );
    }
    // JSON escapes them, so machines still see the exact text.
    let v = json(&run_ok(
        env.overleg(&ezk).args(["show", "a-evil", "--json"]),
    ));
    assert!(v["title"].as_str().is_some_and(|t| t.contains('\u{1b}')));
}

#[test]
fn the_same_id_in_another_folder_does_not_hide_a_record() {
    let env = Env::new();
    let ezk = env.demo().join("ezk");
    let ids = |kind: &str| -> Vec<String> {
        json(&run_ok(env.overleg(&ezk).args(["list", kind, "--json"])))
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let org = ids("organisations")
        .into_iter()
        .min()
        .expect("an organisation");
    // A stray body that happens to carry an organisation's id; bodies load before organisations.
    std::fs::write(
        ezk.join(format!("registry/bodies/{org}.toml")),
        format!("id = \"{org}\"\nname = \"Verdwaald gremium\"\n"),
    )
    .expect("write");
    assert!(
        ids("organisations").contains(&org),
        "the organisation {org} is hidden"
    );
    assert!(ids("bodies").contains(&org));
    let o = env.overleg(&ezk).arg("check").output().expect("check");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(&format!("id `{org}` is also used by")),
        "{}",
        stdout(&o)
    );
}
