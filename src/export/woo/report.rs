//! What the Woo release cites and reports: the legal ground, what each finding is about, and
//! the internal report for the secretariat.

/// The legal ground cited by the marker.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Ground {
    /// Woo art. 5.1 lid 2 sub e (since 1 May 2022)
    #[default]
    Woo,
    /// Wob art. 10 lid 2 sub e (the old style, as in the released dossier)
    Wob,
}

impl Ground {
    pub fn marker(self) -> &'static str {
        match self {
            Ground::Woo => "5.1.2e",
            Ground::Wob => "10.2.e",
        }
    }

    /// Accepts the marker itself or the name of the act.
    pub fn parse(s: &str) -> Option<Ground> {
        match s.trim().to_lowercase().as_str() {
            "5.1.2e" | "5.1.2.e" | "woo" => Some(Ground::Woo),
            "10.2.e" | "10.2e" | "wob" => Some(Ground::Wob),
            _ => None,
        }
    }
}

/// What a finding is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Category {
    /// a person's name from a registry reference
    Person,
    /// a registry name (or a variant of it) found in free text
    Name,
    Email,
    Phone,
    /// paraaf initials
    Initials,
    /// a match that was NOT masked because it is also (part of) a public office holder's name
    Doubt,
    /// content of a confidential meeting left out or marked
    Confidential,
}

impl Category {
    pub fn word_nl(self) -> &'static str {
        match self {
            Category::Person => "persoon",
            Category::Name => "naam in tekst",
            Category::Email => "e-mailadres",
            Category::Phone => "telefoonnummer",
            Category::Initials => "paraaf",
            Category::Doubt => "TWIJFEL, niet gemaskeerd",
            Category::Confidential => "vertrouwelijk",
        }
    }
}

/// One thing masked (or withheld) in one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// where in the document: "agendapunt 4 / spreekpunten"
    pub place: String,
    pub category: Category,
    /// the registry person it belongs to, when known
    pub person: Option<String>,
    /// the text that was replaced (internal: the report is for the secretariat, not for release)
    pub original: String,
}

/// What was masked where; printed to stderr or written with `--woo-report`.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub marker: String,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn count(&self, c: Category) -> usize {
        self.findings.iter().filter(|f| f.category == c).count()
    }

    /// Plain text, one finding per line, sanitised.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("Woo-rapportage (INTERN, niet openbaar maken)\n");
        out.push_str(&format!("Markering: {}\n", self.marker));
        let masked = self
            .findings
            .iter()
            .filter(|f| !matches!(f.category, Category::Doubt | Category::Confidential))
            .count();
        out.push_str(&format!(
            "Gemaskeerd: {masked} (personen {}, namen in tekst {}, e-mail {}, telefoon {}, paraaf {}); vertrouwelijk: {}; twijfel: {}\n",
            self.count(Category::Person),
            self.count(Category::Name),
            self.count(Category::Email),
            self.count(Category::Phone),
            self.count(Category::Initials),
            self.count(Category::Confidential),
            self.count(Category::Doubt),
        ));
        for f in &self.findings {
            let who = f
                .person
                .as_deref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            out.push_str(&crate::text::line(&format!(
                "{}: {}{}: {}",
                f.place,
                f.category.word_nl(),
                who,
                f.original
            )));
            out.push('\n');
        }
        out
    }
}
