use super::*;
use crate::model::enums::PersonClass;

fn person(id: &str, name: &str, class: PersonClass, initials: &str) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
        class,
        organisation: "EZK".into(),
        role: String::new(),
        initials: initials.into(),
        email: String::new(),
        phone: String::new(),
    }
}

fn masker(people: Vec<Person>) -> Masker {
    let mut a = Agenda::default();
    a.people = people.into_iter().map(std::sync::Arc::new).collect();
    Masker::new(&a, Ground::Woo)
}

#[test]
fn variants_are_masked() {
    let m = masker(vec![
        person(
            "p-1",
            "Jan-Willem van der Berg",
            PersonClass::CivilServant,
            "JWvdB",
        ),
        person("p-2", "Mona Keijzer", PersonClass::Minister, "MK"),
    ]);
    for (input, want) in [
        ("Jan-Willem van der Berg belt", "5.1.2e belt"),
        ("J.W. van der Berg belt", "5.1.2e belt"),
        ("J. W. Van der Berg", "5.1.2e"),
        ("door mw. Van der\n  Berg.", "door mw. 5.1.2e."),
        ("Beste Jan-Willem,", "Beste 5.1.2e,"),
        ("Berg zei", "5.1.2e zei"),
        ("de berg op", "de berg op"),
        (
            "Mona Keijzer en JAN-WILLEM VAN DER BERG",
            "Mona Keijzer en 5.1.2e",
        ),
        ("paraaf JWvdB 2/2/21", "paraaf 5.1.2e 2/2/21"),
        ("paraaf MK", "paraaf MK"),
        (
            "mail j.vdberg@minezk.nl of bel 070-379 8911",
            "mail 5.1.2e@minezk.nl of bel 5.1.2e",
        ),
        ("+31 6 1234 5678.", "5.1.2e."),
        (
            "DGBI-DE / 21025076 op 2021-02-08, 12.000 bedrijven",
            "DGBI-DE / 21025076 op 2021-02-08, 12.000 bedrijven",
        ),
    ] {
        assert_eq!(m.text("t", input), want, "input: {input}");
    }
}

#[test]
fn public_names_are_shields() {
    let m = masker(vec![
        person("p-1", "Mona Jansen", PersonClass::CivilServant, ""),
        person("p-2", "Mona Keijzer", PersonClass::Minister, ""),
    ]);
    assert_eq!(m.text("t", "Mona Keijzer opent"), "Mona Keijzer opent");
    assert_eq!(m.text("t", "Mona Jansen opent"), "5.1.2e opent");
    assert_eq!(m.text("t", "Beste Mona,"), "Beste 5.1.2e,");
    assert!(
        m.report()
            .findings
            .iter()
            .any(|f| f.category == Category::Doubt)
    );
}
