//! Synthetic agenda repositories of any size, for benchmarks: every overleg of every
//! ministry, a few years of meetings with items, notes and follow-ups, with realistic texts.
//! Deterministic for a given size and seed.

use std::fmt::Write as _;

use crate::model::Date;
use crate::model::date::MONTHS_NL;

/// A small deterministic generator (SplitMix64): the same size gives the same repository.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

const MINISTRIES: &[(&str, &str)] = &[
    ("EZK", "Economische Zaken en Klimaat"),
    ("BZK", "Binnenlandse Zaken en Koninkrijksrelaties"),
    ("JenV", "Justitie en Veiligheid"),
    ("OCW", "Onderwijs, Cultuur en Wetenschap"),
    ("VWS", "Volksgezondheid, Welzijn en Sport"),
    ("IenW", "Infrastructuur en Waterstaat"),
    ("LNV", "Landbouw, Natuur en Voedselkwaliteit"),
    ("SZW", "Sociale Zaken en Werkgelegenheid"),
    ("DEF", "Defensie"),
    ("BZ", "Buitenlandse Zaken"),
    ("FIN", "Financiën"),
    ("AZ", "Algemene Zaken"),
];
const BODY_KINDS: &[(&str, &str, &str)] = &[
    ("do", "Directeurenoverleg", "ambtelijk_directeuren"),
    ("dg", "DG-overleg", "ambtelijk_dg"),
    ("wg", "Werkgroep", "ambtelijk_werkgroep"),
    ("bwo", "Bewindspersonenoverleg", "bestuurlijk"),
];
const THEMES: &[&str] = &[
    "digitalisering",
    "datadelen",
    "AI en algoritmen",
    "digitale weerbaarheid",
    "connectiviteit",
    "digitale inclusie",
    "financiën",
    "klimaatadaptatie",
    "arbeidsmarkt",
    "onderwijsvernieuwing",
    "zorgdata",
    "mobiliteit",
    "energietransitie",
    "Europese inzet",
    "informatiehuishouding",
];
const VERBS: &[&str] = &[
    "Uitwerken van",
    "Kamerbrief over",
    "Notitie over",
    "Voorstel voor",
    "Verkenning van",
    "Planning van",
    "Reactie op",
    "Evaluatie van",
    "Inventarisatie van",
    "Afstemming over",
];
const TREATMENTS: &[&str] = &[
    "ter_bespreking",
    "ter_informatie",
    "ter_besluitvorming",
    "mededeling",
    "voor_akkoord",
];
const STATUSES: &[&str] = &[
    "open",
    "open",
    "lopend",
    "lopend",
    "gereed",
    "gereed",
    "gereed",
    "vervallen",
    "doorlopend",
];
const DUES: &[&str] = &["medio", "begin", "eind", ""];
const SENTENCES: &[&str] = &[
    "De departementen leveren hun bijdrage aan via het secretariaat.",
    "Het voorstel is ambtelijk afgestemd met de betrokken directies.",
    "U kunt aangeven dat het kabinet hier vaart mee wil maken.",
    "De planning gaat uit van besluitvorming in de ministerraad na de zomer.",
    "Er zijn nog openstaande punten over de financiering.",
    "Voorgesteld wordt de uitwerking bij de volgende vergadering te bespreken.",
    "De financiën worden in de voorjaarsnota verwerkt.",
    "Coördinatie ligt bij het ministerie dat de trekker is.",
];

fn text(rng: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let sentence: &&str = rng.pick(SENTENCES);
        s.push_str(sentence);
    }
    s
}

fn q(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// Write a synthetic repository of about `records` records into `out` (files only; the
/// caller commits them). Returns the number of files written.
pub fn generate(out: &std::path::Path, records: usize, seed: u64) -> std::io::Result<usize> {
    let mut rng = Rng::new(seed);
    let mut files = 0;
    let mut write = |rel: String, body: String| -> std::io::Result<()> {
        let p = out.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(p, body)?;
        files += 1;
        Ok(())
    };
    write(
        "overleg.toml".into(),
        "format = 1\nname = \"Synthetische agenda\"\n".into(),
    )?;
    for (code, name) in MINISTRIES {
        write(
            format!("registry/organisations/{}.toml", code.to_lowercase()),
            format!(
                "id = \"{}\"\ncode = \"{code}\"\nname = \"Ministerie van {name}\"\ntype = \"ministerie\"\nunits = [\"DGA\", \"DGB\", \"DIR\"]\n",
                code.to_lowercase()
            ),
        )?;
    }
    // Budget: ~1/8 meetings, 3/8 items, 3/8 actions, 1/16 notes, the rest registries.
    let meetings = (records / 8).max(1);
    let mut bodies = Vec::new();
    for (code, _) in MINISTRIES {
        for (k, name, level) in BODY_KINDS {
            let id = format!("{}-{}", k, code.to_lowercase());
            write(
                format!("registry/bodies/{id}.toml"),
                format!(
                    "id = \"{id}\"\nname = \"{name} {code}\"\nlevel = \"{level}\"\nsecretariat = \"{code}/DIR\"\nslot_minutes = 90\n"
                ),
            )?;
            bodies.push((id, *code));
        }
    }
    let people = (records / 100).max(5);
    for i in 0..people {
        let (code, _) = rng.pick(MINISTRIES);
        let class = if i % 10 == 0 {
            "bewindspersoon"
        } else {
            "ambtenaar"
        };
        write(
            format!("registry/people/p-gen-{i:06}.toml"),
            format!(
                "id = \"p-gen-{i:06}\"\nname = \"Persoon {i}\"\nclass = \"{class}\"\norganisation = \"{code}\"\n"
            ),
        )?;
    }
    let start = Date {
        year: 2016,
        month: 1,
        day: 4,
    }
    .to_days();
    let mut action_no = std::collections::HashMap::<String, u32>::new();
    let mut made = 12 + bodies.len() + people;
    let mut m = 0;
    while made < records && m < meetings * 2 {
        let (body, code) = rng.pick(&bodies).clone();
        let day = Date::from_days(start + rng.below(365 * 8) as i64);
        let mid = format!("m-gen-{m:07}");
        let title = format!("{} {}", body.to_uppercase(), rng.pick(THEMES));
        write(
            format!("meetings/{mid}.toml"),
            format!(
                "id = \"{mid}\"\nbody = \"{body}\"\ntitle = {}\ndate = {day}\nstart = \"10:00\"\nend = \"11:30\"\nstatus = \"{}\"\nsecretariat = \"{code}/DIR\"\n",
                q(&title),
                if day.year < 2024 {
                    "gehouden"
                } else {
                    "gepland"
                }
            ),
        )?;
        made += 1;
        let n_items = 2 + rng.below(3);
        for i in 0..n_items {
            let iid = format!("i-gen-{m:07}-{i}");
            let t = format!("{} {}", rng.pick(VERBS), rng.pick(THEMES));
            let sentences = 2 + rng.below(4);
            let mut body_txt = String::new();
            let _ = write!(
                body_txt,
                "id = \"{iid}\"\nmeeting = \"{mid}\"\nlabel = \"{}\"\norder = {}\ntitle = {}\ntreatment = \"{}\"\nduration = {}\nlead = \"{}\"\n\n[annotation]\naanleiding = {}\nadvies = {}\n",
                i + 1,
                (i + 1) * 10,
                q(&t),
                rng.pick(TREATMENTS),
                10 + 5 * rng.below(5),
                rng.pick(MINISTRIES).0,
                q(&text(&mut rng, sentences)),
                q(&text(&mut rng, 1)),
            );
            write(format!("items/{iid}.toml"), body_txt)?;
            made += 1;
            let n_actions = rng.below(3) + usize::from(i == 0);
            for _ in 0..n_actions {
                let ym = format!("{:04}-{:02}", day.year, day.month);
                let n = action_no.entry(ym.clone()).or_insert(0);
                *n += 1;
                let aid = format!("a-gen-{}-{:05}", ym, n);
                let due_month = Date::from_days(day.to_days() + 30 + rng.below(200) as i64);
                let due = format!(
                    "{} {} {}",
                    rng.pick(DUES),
                    MONTHS_NL[usize::from(due_month.month - 1)],
                    due_month.year
                );
                let owner = rng.pick(MINISTRIES).0;
                write(
                    format!("actions/{aid}.toml"),
                    format!(
                        "id = \"{aid}\"\nref = \"{ym}-A{n}\"\ntitle = {}\ndescription = {}\nowner = \"{owner}/DIR\"\ndue = \"{}\"\nstatus = \"{}\"\nmeeting = \"{mid}\"\nitem = \"{iid}\"\ncreated = {day}\n",
                        q(&format!("{} {}", rng.pick(VERBS), rng.pick(THEMES))),
                        q(&text(&mut rng, 1)),
                        due.trim(),
                        rng.pick(STATUSES),
                    ),
                )?;
                made += 1;
            }
        }
        if m % 2 == 0 {
            let nid = format!("n-gen-{m:07}");
            write(
                format!("notes/{nid}.toml"),
                format!(
                    "id = \"{nid}\"\nmeeting = \"{mid}\"\ntype = \"besluitenlijst\"\nstatus = \"vastgesteld\"\n\n[[decisions]]\nid = \"d-1\"\nitem = \"i-gen-{m:07}-0\"\nkind = \"akkoord\"\ntext = {}\n",
                    q(&text(&mut rng, 1))
                ),
            )?;
            made += 1;
        }
        m += 1;
    }
    Ok(files)
}
