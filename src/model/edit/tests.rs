use super::*;

const TEXT: &str = "# Actie uit het Beraad\nid = \"a-1\"\nref = \"2021-02-A1\"\ntitle = \"Iets doen\"\nowner = \"EZK\" # trekker\nstatus = \"open\"\nnieuw_veld = 3\n";

#[test]
fn set_keeps_comments_order_and_unknown_fields() {
    let mut doc: DocumentMut = TEXT.parse().expect("parse");
    set_field(
        &mut doc,
        Kind::Action,
        &FieldPath::parse("owner").expect("p"),
        "BZK",
    )
    .expect("set");
    set_field(
        &mut doc,
        Kind::Action,
        &FieldPath::parse("status").expect("p"),
        "gereed",
    )
    .expect("set");
    let out = doc.to_string();
    assert_eq!(
        out,
        "# Actie uit het Beraad\nid = \"a-1\"\nref = \"2021-02-A1\"\ntitle = \"Iets doen\"\nowner = \"BZK\" # trekker\nstatus = \"gereed\"\nnieuw_veld = 3\n"
    );
    let d = diff(Some(TEXT), Some(&out));
    assert_eq!(d.len(), 2);
    assert_eq!(describe(&d[1..]), "status open → gereed");
}

#[test]
fn set_rejects_bad_values() {
    let mut doc: DocumentMut = TEXT.parse().expect("parse");
    let p = FieldPath::parse("status").expect("p");
    assert!(set_field(&mut doc, Kind::Action, &p, "klaar").is_err());
    assert!(set_field(&mut doc, Kind::Action, &p, "").is_err());
    assert!(
        set_field(
            &mut doc,
            Kind::Action,
            &FieldPath::parse("id").expect("p"),
            "a-2"
        )
        .is_err()
    );
    assert!(
        set_field(
            &mut doc,
            Kind::Action,
            &FieldPath::parse("bogus").expect("p"),
            "x"
        )
        .is_err()
    );
    assert!(
        set_field(
            &mut doc,
            Kind::Action,
            &FieldPath::parse("due").expect("p"),
            "31 februari 2021"
        )
        .is_err()
    );
    assert_eq!(doc.to_string(), TEXT);
}

#[test]
fn multiline_text_and_entries() {
    let mut doc: DocumentMut = "id = \"n-1\"\nmeeting = \"m-1\"\n".parse().expect("parse");
    push_entry(
        &mut doc,
        "decisions",
        vec![("id", Value::from("d-1")), ("text", Value::from("Eerste"))],
    );
    set_field(
        &mut doc,
        Kind::Notes,
        &FieldPath::parse("decisions[d-1].text").expect("p"),
        "regel 1\nregel 2",
    )
    .expect("set");
    let out = doc.to_string();
    let back: toml::Table = out.parse().expect("reparse");
    let dec = back["decisions"].as_array().expect("arr")[0]
        .as_table()
        .expect("t");
    assert_eq!(dec["text"].as_str(), Some("regel 1\nregel 2"));
    assert!(remove_entry(&mut doc, "decisions", "d-1"));
}
