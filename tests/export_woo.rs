//! The Woo release, end to end through `overleg export … --woo`: a repository built here with
//! more than fifty personal names planted in every place a name can stand (registry
//! references as chair, participant and presenter; free text in annotations, notes, decisions,
//! agreements, follow-ups, venue and questions; e-mail addresses, phone numbers, paraaf
//! initials; variants with initials, particles, capitals and line breaks). Every export must
//! come out with zero leaks, and every public office holder kept.

use std::path::{Path, PathBuf};
use std::process::Command;

/// (id, name, initials) of people who must be masked.
const MASKED: &[(&str, &str, &str)] = &[
    ("p-m01", "Jan de Kwakkelstein", "JdK"),
    ("p-m02", "Pieter van der Hoogwerff", "PvdH"),
    ("p-m03", "Anna van den Brakelaar", "AvdB"),
    ("p-m04", "Kees Jansma-Tuinstra", "KJT"),
    ("p-m05", "Marieke ter Velthuysen", "MtV"),
    ("p-m06", "Hendrik-Jan van 't Olderaan", "HJvtO"),
    ("p-m07", "Sanne Dekkerink", "SD"),
    ("p-m08", "Willem de Zijlstrom", "WdZ"),
    ("p-m09", "Fatima el Mertensma", "FeM"),
    ("p-m10", "Joris Drieskamp", "JD"),
    ("p-m11", "Eva Gravendijk", "EG"),
    ("p-m12", "Lotte van Pottgieter", "LvP"),
    ("p-m13", "Thijs Lindeboomse", "TL"),
    ("p-m14", "Bas Wesselinkx", "BW"),
    ("p-m15", "Noor Harmsenius", "NH"),
    ("p-m16", "Sem Kloosterveen", "SK"),
    ("p-m17", "Daan Bolkestijn", "DB"),
    ("p-m18", "Ilse Vredenburgh", "IV"),
    ("p-m19", "Ruben Smeetsma", "RS"),
    ("p-m20", "Mirjam Ruijgrokke", "MR2"),
    ("p-m21", "Gert-Jan Tichelaar", "GJT"),
    ("p-m22", "Wouter Boxmeerder", "WB"),
    ("p-m23", "Esther Haverkampe", "EH"),
    ("p-m24", "Koen Steenbergh", "KS"),
    ("p-m25", "Inge Oosterhuisen", "IO"),
    ("p-m26", "Maarten Valkema", "MV"),
    ("p-m27", "Lieke Rozenbladt", "LR"),
    ("p-m28", "Bram Schuttelaar", "BS"),
    ("p-m29", "Floor Wijnbergen", "FW"),
    ("p-m30", "Jeroen Nijhofstra", "JN"),
    ("p-m31", "Hanneke Lammertsma", "HL"),
    ("p-m32", "Stijn Brouwerius", "SB"),
    ("p-m33", "Yvonne op de Kampstra", "YodK"),
    ("p-m34", "Ahmed Bouzianeh", "AB"),
    ("p-m35", "Priya Raghoebirsing", "PR"),
    ("p-m36", "Olga Wisniewska-Pool", "OWP"),
    ("p-m37", "Tomasz Kowalczykin", "TK2"),
    ("p-m38", "Chantal in 't Veldhuys", "CiV"),
    ("p-m39", "Ruud den Uylenburg", "RdU"),
    ("p-m40", "Anouk Mesdagh", "AM"),
    ("p-m41", "Mees Terpstrama", "MT2"),
    ("p-m42", "Jasper van Beuningen-Zorg", "JvBZ"),
    ("p-m43", "Hester Clercxsen", "HC"),
    ("p-m44", "Niels Albarda", "NA"),
    ("p-m45", "Carolien Zwartendijk", "CZ"),
    ("p-m46", "Dirk Roodenburgh", "DR"),
    ("p-m47", "Merel Goudsmitte", "MG"),
    ("p-m48", "Karim Benalloucha", "KB"),
    ("p-m49", "Sophie Tjeenkema", "ST"),
    ("p-m50", "Gijs Verbrugghen", "GV"),
    ("p-m51", "Tamara Hoekstrael", "TH"),
    ("p-m52", "Zoë van Dijkhuizerd", "ZvD"),
    // shares a first name with the Staatssecretaris: "Mona Keijzer" must stay whole
    ("p-m53", "Mona Verhoevenaar", "MVh"),
];

/// (id, name, class) of public office holders: kept in a release.
const PUBLIC: &[(&str, &str, &str)] = &[
    ("p-stas", "Mona Keijzer", "bewindspersoon"),
    ("p-stasbzk", "Raymond Knops", "bewindspersoon"),
    ("p-mrb", "Sander Dekker", "bewindspersoon"),
    ("p-burg", "Femke Halsema", "gekozen_bestuurder"),
    ("p-cie", "Ursula von der Leyen", "publiek_persoon"),
    ("p-evp", "Margrethe Vestager", "publiek_persoon"),
];

const AUTHOR: &str = "Gerrit Auteursnaam";

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn parts(name: &str) -> (String, String, String) {
    // (first name, surname with particles, core surname), as the test writes them
    let w: Vec<&str> = name.split_whitespace().collect();
    let particles = ["van", "der", "den", "de", "ter", "'t", "el", "op", "in"];
    let s = (1..w.len())
        .find(|&k| particles.contains(&w[k]) && k + 1 < w.len())
        .unwrap_or(w.len() - 1);
    let core = (s..w.len())
        .find(|&k| !particles.contains(&w[k]))
        .unwrap_or(w.len() - 1);
    (w[0].to_string(), w[s..].join(" "), w[core..].join(" "))
}

fn email_local(i: usize) -> String {
    let (first, _, core) = parts(MASKED[i].1);
    format!(
        "{}.{}",
        first.to_lowercase().replace('ë', "e"),
        core.to_lowercase().replace(['-', ' '], "")
    )
}

fn phone(i: usize) -> String {
    format!("06-{:08}", 31_415_900 + i)
}

/// Free text that names person `i`, in variant `v` (of twelve).
fn plant(i: usize, v: usize) -> String {
    let (_, name, ini) = MASKED[i];
    let (first, surname, core) = parts(name);
    let initial = first.chars().next().unwrap();
    let cap_surname = {
        let mut c = surname.chars();
        let f = c.next().unwrap().to_uppercase().collect::<String>();
        f + c.as_str()
    };
    match v % 12 {
        0 => format!("{name} licht dit toe."),
        1 => format!("Volgens {initial}. {surname} is dit rijp voor besluit."),
        2 => format!("Navragen bij dhr. {cap_surname} (EZK/DE)."),
        3 => format!("Mevrouw {core} heeft de notitie geschreven."),
        4 => format!("Beste {first}, dank voor de stukken."),
        5 => format!("Afgestemd met {}.", name.to_uppercase()),
        6 => {
            // a name split over a line break, as text wraps in a TOML file
            let (a, b) = name.split_once(' ').unwrap();
            format!("Concept van {a}\n  {b}, nog niet rondgestuurd.")
        }
        7 => format!("Contact: {}@minezk.nl of {}.", email_local(i), phone(i)),
        8 => format!("paraaf {ini} 2/2/21"),
        9 => format!("Na overleg met {} bleek dit haalbaar.", name.to_lowercase()),
        10 => format!("U kunt {first} {surname} bedanken."),
        _ => format!("Gesprek met {initial}.{surname}, T {}.", phone(i)),
    }
}

struct Repo {
    dir: PathBuf,
    /// (person index, text planted) in places that some export shows
    planted: Vec<(usize, String)>,
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn build_repo(tag: &str) -> Repo {
    let dir = std::env::temp_dir().join(format!("overleg-woo-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut planted: Vec<(usize, String)> = Vec::new();
    let mut next = 0usize;
    let mut take = |planted: &mut Vec<(usize, String)>| {
        let i = next % MASKED.len();
        let t = plant(i, next);
        next += 1;
        planted.push((i, t.clone()));
        t
    };

    write(&dir, "overleg.toml", "format = 1\nname = \"Woo-test\"\n");
    for (id, code, units) in [
        ("ezk", "EZK", "[\"DE\", \"DGBI\"]"),
        ("bzk", "BZK", "[]"),
        ("jenv", "JenV", "[]"),
        ("nldigital", "NLdigital", "[]"),
        ("cie", "CIE", "[]"),
        ("amsterdam", "Amsterdam", "[]"),
    ] {
        write(
            &dir,
            &format!("registry/organisations/{id}.toml"),
            &format!(
                "id = \"{id}\"\ncode = \"{code}\"\nname = \"Organisatie {code}\"\ntype = \"overig\"\nunits = {units}\n"
            ),
        );
    }
    for (id, name) in [
        ("do-nds", "Directeurenoverleg NDS"),
        ("beraad", "Beraad Nederland Digitaal"),
    ] {
        write(
            &dir,
            &format!("registry/bodies/{id}.toml"),
            &format!(
                "id = \"{id}\"\nname = \"{name}\"\nshort = \"{}\"\nsecretariat = \"EZK/DE\"\n",
                id.to_uppercase()
            ),
        );
    }
    for (i, (id, name, ini)) in MASKED.iter().enumerate() {
        let class = if i % 2 == 0 {
            "ambtenaar"
        } else {
            "extern_deelnemer"
        };
        write(
            &dir,
            &format!("registry/people/{id}.toml"),
            &format!(
                "id = \"{id}\"\nname = {}\nclass = \"{class}\"\norganisation = \"EZK/DE\"\nrole = \"Beleidsmedewerker\"\ninitials = {}\nemail = {}\nphone = {}\n",
                q(name),
                q(ini),
                q(&format!("{}@minezk.nl", email_local(i))),
                q(&phone(i))
            ),
        );
    }
    for (id, name, class) in PUBLIC {
        write(
            &dir,
            &format!("registry/people/{id}.toml"),
            &format!(
                "id = \"{id}\"\nname = {}\nclass = \"{class}\"\nrole = \"Ambt\"\n",
                q(name)
            ),
        );
    }

    // M0: an earlier DO NDS with open follow-ups
    write(
        &dir,
        "meetings/m-m0.toml",
        "id = \"m-m0\"\nbody = \"do-nds\"\ntitle = \"DO NDS januari\"\ndate = 2021-01-10\nstatus = \"gehouden\"\nchair = \"p-m01\"\n",
    );
    // M1: the meeting exported, every participant a registry person or typed text
    let mut m1 = format!(
        "id = \"m-m1\"\nbody = \"do-nds\"\ntitle = \"DO NDS maart\"\ndate = 2021-03-15\nstart = \"10:00\"\nend = \"12:00\"\nstatus = \"bevestigd\"\nchair = \"p-m02\"\nsecretariat = \"EZK/DE\"\nconfidentiality = \"geen\"\nlocation = \"fysiek\"\nvenue = {}\nmeta_question = {}\n",
        q(&format!("Zaal 3; {}", take(&mut planted))),
        q(&take(&mut planted)),
    );
    for (i, (id, _, _)) in MASKED.iter().enumerate() {
        m1.push_str(&format!(
            "\n[[participants]]\nid = \"pt-{i}\"\nwho = \"{id}\"\norganisation = \"EZK/DE\"\nrole = \"lid\"\nattendance = \"ja\"\n"
        ));
    }
    for (k, (id, _, _)) in PUBLIC.iter().enumerate() {
        m1.push_str(&format!(
            "\n[[participants]]\nid = \"pt-p{k}\"\nwho = \"{id}\"\nrole = \"bewindspersoon\"\nattendance = \"ja\"\n"
        ));
    }
    // names typed where a role text belongs
    for k in 0..3 {
        m1.push_str(&format!(
            "\n[[participants]]\nid = \"pt-t{k}\"\nwho = {}\nrole = \"genodigde\"\n",
            q(&format!("Genodigde BZK: {}", take(&mut planted)))
        ));
    }
    write(&dir, "meetings/m-m1.toml", &m1);
    // M2: postponed, its reason naming someone
    write(
        &dir,
        "meetings/m-m2.toml",
        &format!(
            "id = \"m-m2\"\nbody = \"do-nds\"\ntitle = \"DO NDS april\"\nplanned = \"april 2021\"\nstatus = \"uitgesteld\"\nstatus_reason = {}\n",
            q(&take(&mut planted))
        ),
    );
    // M3: Chatham House, names inside
    write(
        &dir,
        "meetings/m-m3.toml",
        "id = \"m-m3\"\nbody = \"beraad\"\ntitle = \"Beraad maart\"\ndate = 2021-03-20\nstart = \"16:00\"\nend = \"18:00\"\nstatus = \"bevestigd\"\nchair = \"p-stas\"\nconfidentiality = \"chatham_house\"\n\n[[participants]]\nid = \"pt-1\"\nwho = \"p-m03\"\nrole = \"lid\"\n",
    );

    // items of M1: every annotation section, objective, title, attachment, presenters
    for n in 0..8 {
        let presenter = MASKED[(n * 7) % MASKED.len()].0;
        let vragen: Vec<String> = (0..2).map(|_| q(&take(&mut planted))).collect();
        let mut item = format!(
            "id = \"i-m1-{n}\"\nmeeting = \"m-m1\"\nlabel = \"{}\"\norder = {}\ntitle = {}\ntreatment = \"ter_bespreking\"\nduration = 15\nlead = \"EZK\"\nobjective = {}\n\n[[presenters]]\nid = \"pr-1\"\nwho = \"{presenter}\"\nstatus = \"bevestigd\"\n",
            n + 1,
            (n + 1) * 10,
            q(&format!(
                "Punt {} ({})",
                n + 1,
                if n == 0 {
                    take(&mut planted)
                } else {
                    "algemeen".into()
                }
            )),
            q(&take(&mut planted)),
        );
        if n == 1 {
            item.push_str("\n[[presenters]]\nid = \"pr-2\"\nwho = \"p-mrb\"\n\n[[presenters]]\nid = \"pr-3\"\nwho = \"p-cie\"\n");
        }
        item.push_str(&format!(
            "\n[[attachments]]\nid = \"b-1\"\nlabel = \"bijlage {}\"\ntitle = {}\nkenmerk = \"DGBI-DE / 21025076\"\n",
            n + 1,
            q(&format!("Notitie; {}", take(&mut planted)))
        ));
        item.push_str(&format!(
            "\n[annotation]\naanleiding = {}\nadvies = {}\nkernpunten = {}\ntoelichting = {}\nspreekpunten = {}\nvragen = [{}]\n",
            q(&take(&mut planted)),
            q(&take(&mut planted)),
            q(&format!("- {}\n- Mona Keijzer opent; Von der Leyen en Vestager zijn uitgenodigd, net als burgemeester Halsema.\n- {}", take(&mut planted), take(&mut planted))),
            q(&format!("{} <script>alert('x')</script>", take(&mut planted))),
            q(&take(&mut planted)),
            vragen.join(", "),
        ));
        write(&dir, &format!("items/i-m1-{n}.toml"), &item);
    }
    // an item of the Chatham House meeting
    write(
        &dir,
        "items/i-m3-1.toml",
        &format!(
            "id = \"i-m3-1\"\nmeeting = \"m-m3\"\nlabel = \"1\"\norder = 10\ntitle = \"Vertrouwelijk punt\"\ntreatment = \"ter_bespreking\"\n\n[[presenters]]\nid = \"pr-1\"\nwho = \"p-m04\"\n\n[annotation]\ntoelichting = {}\n",
            q(&format!("{} {}", plant(3, 5), plant(4, 6)))
        ),
    );

    // notes of M1
    let mut notes = String::from(
        "id = \"n-m1\"\nmeeting = \"m-m1\"\ntype = \"besluitenlijst\"\nstatus = \"vastgesteld\"\n",
    );
    for n in 0..6 {
        notes.push_str(&format!(
            "\n[[summaries]]\nitem = \"i-m1-{n}\"\ntext = {}\n",
            q(&format!("{}\n{}", take(&mut planted), take(&mut planted)))
        ));
        notes.push_str(&format!(
            "\n[[decisions]]\nid = \"d-{n}\"\nitem = \"i-m1-{n}\"\nkind = \"akkoord\"\ntext = {}\n",
            q(&take(&mut planted))
        ));
        notes.push_str(&format!(
            "\n[[agreements]]\nid = \"g-{n}\"\nitem = \"i-m1-{n}\"\ntext = {}\nparties = [\"EZK\", \"BZK\"]\n",
            q(&take(&mut planted))
        ));
    }
    write(&dir, "notes/n-m1.toml", &notes);
    // notes of M3 (Chatham House)
    write(
        &dir,
        "notes/n-m3.toml",
        &format!(
            "id = \"n-m3\"\nmeeting = \"m-m3\"\n\n[[decisions]]\nid = \"d-1\"\ntext = {}\n",
            q(&plant(5, 7))
        ),
    );

    // follow-ups: of M1, and open ones of M0
    for n in 0..10 {
        let (meeting, ym) = if n < 6 {
            ("m-m1", "2021-03")
        } else {
            ("m-m0", "2021-01")
        };
        write(
            &dir,
            &format!("actions/a-w{n}.toml"),
            &format!(
                "id = \"a-w{n}\"\nref = \"{ym}-A{}\"\ntitle = {}\ndescription = {}\nowner = \"EZK/DE\"\nowner_role = {}\ncontributors = [\"BZK\"]\ndue = \"eind april 2021\"\nstatus = \"open\"\nstatus_note = {}\nmeeting = \"{meeting}\"\ncreated = 2021-01-10\n",
                n + 1,
                q(&format!("Actie {}: {}", n + 1, take(&mut planted))),
                q(&take(&mut planted)),
                q(&format!("Secretariaat, {}", take(&mut planted))),
                q(&take(&mut planted)),
            ),
        );
    }
    write(
        &dir,
        "actions/a-w99.toml",
        &format!(
            "id = \"a-w99\"\nref = \"2021-03-A99\"\ntitle = {}\nowner = \"EZK/DE\"\ndue = \"april 2021\"\nstatus = \"open\"\nmeeting = \"m-m3\"\n",
            q(&format!("Vertrouwelijke actie: {}", plant(6, 8)))
        ),
    );

    // a git repository, with a commit by a named author
    let repo = git2::Repository::init(&dir).unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now(AUTHOR, "gerrit.auteursnaam@example.org").unwrap();
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        &format!("EZK: testdata van {AUTHOR}"),
        &tree,
        &[],
    )
    .unwrap();
    Repo { dir, planted }
}

fn overleg(repo: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_overleg"))
        .arg("--repo")
        .arg(repo)
        .args(args)
        .env("OVERLEG_TODAY", "2021-03-01")
        .env_remove("OVERLEG_REPO")
        .output()
        .expect("overleg runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "overleg {args:?} failed: {stderr}");
    (stdout, stderr)
}

fn words_of(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// Every trace of person `i` that must not be in a release.
fn leaks(i: usize, text: &str) -> Vec<String> {
    let (_, name, ini) = MASKED[i];
    let (first, _, core) = parts(name);
    let mut flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // public office holders stay; a masked person may share a first name with one
    for (_, public, _) in PUBLIC {
        flat = flat.replace(public, "");
    }
    let low = flat.to_lowercase();
    let folded = low.replace('ë', "e");
    let mut found = Vec::new();
    if low.contains(&name.to_lowercase()) {
        found.push(format!("full name `{name}`"));
    }
    if folded.contains(&core.to_lowercase().replace('ë', "e")) {
        found.push(format!("surname `{core}`"));
    }
    let first_l = first.to_lowercase();
    if words_of(&flat)
        .iter()
        .any(|w| *w == first_l || w.replace('ë', "e") == first_l.replace('ë', "e"))
    {
        found.push(format!("first name `{first}`"));
    }
    if low.contains(&email_local(i).to_lowercase()) {
        found.push(format!("e-mail `{}`", email_local(i)));
    }
    let digits: String = phone(i).chars().filter(char::is_ascii_digit).collect();
    let text_digits: String = flat
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ' ')
        .collect();
    if text_digits.replace(' ', "").contains(&digits) || flat.contains(&phone(i)) {
        found.push(format!("phone `{}`", phone(i)));
    }
    if flat.split(|c: char| !c.is_alphanumeric()).any(|w| w == ini) {
        found.push(format!("initials `{ini}`"));
    }
    found
}

#[test]
fn woo_release_has_no_leaks_and_keeps_office_holders() {
    let repo = build_repo("leaks");
    let dir = repo.dir.to_str().unwrap().to_string();
    let report_file = repo.dir.join("woo-report.txt");
    let report_arg = report_file.to_str().unwrap().to_string();

    // sanity: without --woo the names are there (so the test data really plants them)
    let (plain, _) = overleg(Path::new(&dir), &["export", "agenda", "do-nds-2021-03-15"]);
    assert!(plain.contains(MASKED[0].1) && plain.contains(MASKED[1].1));
    // ... and the leak check sees them: every person leaks from the plain exports
    let (plain_b, _) = overleg(
        Path::new(&dir),
        &["export", "besluiten", "do-nds-2021-03-15"],
    );
    let plain_all = format!("{plain}\n{plain_b}");
    let detected = (0..MASKED.len())
        .filter(|&i| !leaks(i, &plain_all).is_empty())
        .count();
    assert_eq!(detected, MASKED.len(), "the leak check misses names");

    let runs: Vec<Vec<&str>> = vec![
        vec![
            "export",
            "agenda",
            "do-nds-2021-03-15",
            "--woo",
            "--woo-report",
            &report_arg,
        ],
        vec![
            "export",
            "agenda",
            "do-nds-2021-03-15",
            "--format",
            "html",
            "--woo",
        ],
        vec![
            "export",
            "agenda",
            "do-nds-2021-03-15",
            "--members",
            "--woo",
            "--marker",
            "10.2.e",
        ],
        vec!["export", "agenda", "do-nds-april-2021", "--woo"],
        vec!["export", "agenda", "beraad-2021-03-20", "--woo"],
        vec![
            "export",
            "agenda",
            "beraad-2021-03-20",
            "--woo",
            "--confidential",
            "mark",
        ],
        vec!["export", "besluiten", "do-nds-2021-03-15", "--woo"],
        vec![
            "export",
            "besluiten",
            "do-nds-2021-03-15",
            "--format",
            "html",
            "--woo",
        ],
        vec![
            "export",
            "besluiten",
            "do-nds-2021-03-15",
            "--format",
            "csv",
            "--woo",
        ],
        vec![
            "export",
            "besluiten",
            "beraad-2021-03-20",
            "--woo",
            "--confidential",
            "mark",
        ],
        vec!["export", "besluiten", "beraad-2021-03-20", "--woo"],
        vec!["export", "ics", "--actions", "--woo"],
        vec![
            "export",
            "ics",
            "--actions",
            "--woo",
            "--confidential",
            "mark",
        ],
        vec!["export", "kalender", "--woo"],
        vec![
            "export",
            "kalender",
            "--format",
            "csv",
            "--woo",
            "--confidential",
            "mark",
        ],
    ];
    let mut all = String::new();
    let mut failures = Vec::new();
    for args in &runs {
        let (out, _) = overleg(Path::new(&dir), args);
        assert!(!out.trim().is_empty(), "{args:?} printed nothing");
        // .ics folds lines: unfold before looking for names
        let out = out
            .replace("\r\n ", "")
            .replace("\\n", "\n")
            .replace("\\,", ",");
        for (i, (id, _, _)) in MASKED.iter().enumerate() {
            for l in leaks(i, &out) {
                failures.push(format!("{args:?}: {id} leaked: {l}"));
            }
        }
        assert!(
            !out.contains(AUTHOR) && !out.contains("auteursnaam"),
            "{args:?}: git author in release"
        );
        assert!(
            !out.contains("<script>"),
            "{args:?}: raw HTML passed through"
        );
        all.push_str(&out);
        all.push('\n');
    }
    let _ = &all;
    if !failures.is_empty() {
        std::fs::write(std::env::temp_dir().join("overleg-woo-failed.txt"), &all).ok();
    }
    assert!(
        failures.is_empty(),
        "{} leaks:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // the markers
    assert!(all.contains("5.1.2e"));
    assert!(all.contains("10.2.e"), "--marker 10.2.e not used");
    // e-mail domains stay
    assert!(all.contains("5.1.2e@minezk.nl"), "e-mail domain lost");

    // every public office holder kept: as a reference and in free text
    for (_, name, _) in PUBLIC {
        assert!(all.contains(name), "public office holder {name} masked");
    }
    assert!(all.contains("Mona Keijzer opent; Von der Leyen en Vestager zijn uitgenodigd, net als burgemeester Halsema."));
    // organisations and kenmerken stay
    assert!(all.contains("EZK/DE") && all.contains("DGBI-DE / 21025076"));

    // confidential meeting: omitted by default, marked on request, never silently
    let (omitted, _) = overleg(
        Path::new(&dir),
        &["export", "agenda", "beraad-2021-03-20", "--woo"],
    );
    assert!(omitted.contains("niet opgenomen in deze openbaarmakingsversie"));
    assert!(!omitted.contains("Vertrouwelijk punt"));
    let (marked, _) = overleg(
        Path::new(&dir),
        &[
            "export",
            "agenda",
            "beraad-2021-03-20",
            "--woo",
            "--confidential",
            "mark",
        ],
    );
    assert!(
        marked.contains("Vertrouwelijk punt") && marked.contains("Vertrouwelijk: Chatham House")
    );

    // the report: what was masked where
    let report = std::fs::read_to_string(&report_file).expect("report written");
    assert!(report.starts_with("Woo-rapportage"));
    let mut persons_in_report = 0;
    for (id, _, _) in MASKED {
        if report.contains(&format!("[{id}]")) {
            persons_in_report += 1;
        }
    }
    assert_eq!(
        persons_in_report,
        MASKED.len(),
        "every masked person appears in the report"
    );
    let lines = |what: &str| report.lines().filter(|l| l.contains(what)).count();
    // every plant shown by the agenda is in the report, by place
    assert!(lines("agendapunt 1 / aanleiding") >= 1 && lines("deelnemers / pt-") >= MASKED.len());

    // figures
    let people = MASKED.len();
    let plants = repo.planted.len();
    let planted_people: std::collections::HashSet<usize> =
        repo.planted.iter().map(|(i, _)| *i).collect();
    eprintln!(
        "Woo test: {people} masked people in the registry, {} public office holders; {plants} free-text plants covering {} people, plus {} registry references; {} exports checked, 0 leaks; report of the agenda: {} lines ({} names in text, {} persons, {} e-mail, {} phone, {} paraaf)",
        PUBLIC.len(),
        planted_people.len(),
        MASKED.len() + 8 + 2,
        runs.len(),
        report.lines().count(),
        lines("naam in tekst"),
        lines(": persoon ["),
        lines("e-mailadres"),
        lines("telefoonnummer"),
        lines("paraaf ["),
    );
    assert!(plants >= 50 && planted_people.len() >= 50);
    let _ = std::fs::remove_dir_all(&repo.dir);
}

#[test]
fn pdf_is_made_by_a_real_converter_or_refused_clearly() {
    let repo = build_repo("pdf");
    let out = repo.dir.join("agenda.pdf");
    let result = Command::new(env!("CARGO_BIN_EXE_overleg"))
        .arg("--repo")
        .arg(&repo.dir)
        .args([
            "export",
            "agenda",
            "do-nds-2021-03-15",
            "--woo",
            "--format",
            "pdf",
            "--out",
        ])
        .arg(&out)
        .env("OVERLEG_TODAY", "2021-03-01")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&result.stderr);
    if Path::new("/usr/bin/chromium").is_file() {
        assert!(result.status.success(), "{err}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"%PDF") && bytes.len() > 5_000);
    } else {
        assert!(std::env::var_os("CI").is_none(), "chromium missing on CI");
        assert!(!result.status.success());
        assert!(err.contains("no PDF converter"), "{err}");
        eprintln!("NOTICE: no chromium; checked the refusal only");
    }
    let _ = std::fs::remove_dir_all(&repo.dir);
}
