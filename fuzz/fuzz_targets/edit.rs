//! The format-preserving edit on arbitrary documents: `set_field` with an arbitrary field path
//! and value, then `diff` and `describe`. Never a panic; an edit that succeeds on a document
//! that parsed leaves a document that parses again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use overleg::model::Kind;
use overleg::model::edit::{FieldPath, describe, diff, set_field};
use toml_edit::DocumentMut;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let kind = Kind::ALL[usize::from(sel) % Kind::ALL.len()];
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    // document \0 field \0 value
    let mut parts = s.splitn(3, '\0');
    let doc_text = parts.next().unwrap_or("");
    let field = parts.next().unwrap_or("status");
    let value = parts.next().unwrap_or("");
    // diff works on any pair of texts, parseable or not
    let _ = describe(&diff(Some(doc_text), Some(value)));
    let Ok(mut doc) = doc_text.parse::<DocumentMut>() else {
        return;
    };
    let Ok(path) = FieldPath::parse(field) else {
        return;
    };
    let _ = path.display();
    if set_field(&mut doc, kind, &path, value).is_ok() {
        let out = doc.to_string();
        assert!(
            out.parse::<DocumentMut>().is_ok(),
            "edit produced unparseable TOML:\n{out}"
        );
        let changes = diff(Some(doc_text), Some(&out));
        let _ = describe(&changes);
        let _ = diff(None, Some(&out));
        let _ = diff(Some(&out), None);
    }
});
