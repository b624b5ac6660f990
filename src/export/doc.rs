//! A small document model shared by the Markdown and HTML exports, and its two renderers.
//! Every string in a [`Doc`] is plain text (already sanitised and, for a release, masked);
//! the renderers escape all of it. Nothing a user typed is ever passed through as markup.

use std::fmt::Write as _;

/// A document: a title, the header block of a ministry paper, and its body.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub title: String,
    /// A line under the title ("Openbaarmakingsversie …")
    pub subtitle: Vec<String>,
    /// Confidentiality banner, shown prominently at the top
    pub banner: Option<String>,
    /// The header block: aan, datum, kenmerk, bijlagen …
    pub meta: Vec<(String, String)>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub enum Block {
    /// Level 2 or 3
    Heading(u8, String),
    /// One paragraph of plain text
    Para(String),
    /// Free text as typed: paragraphs and "- " bullet lists are recognised
    Rich(String),
    /// Labelled values on one item ("Behandeling: ter bespreking")
    Fields(Vec<(String, String)>),
    List(Vec<String>),
    Numbered(Vec<String>),
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A boxed remark: withheld content, a warning
    Notice(String),
}

/// Parts of free text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RichPart {
    Para(String),
    Bullets(Vec<String>),
}

fn bullet_of(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for b in ["- ", "* ", "• ", "– ", "o "] {
        if let Some(rest) = t.strip_prefix(b) {
            return Some(rest.trim());
        }
    }
    None
}

/// Split free text into paragraphs and bullet lists. Indented lines continue a bullet;
/// a blank line ends a paragraph.
pub fn parse_rich(text: &str) -> Vec<RichPart> {
    let mut parts: Vec<RichPart> = Vec::new();
    let mut para = String::new();
    let mut bullets: Vec<String> = Vec::new();
    let flush_para = |para: &mut String, parts: &mut Vec<RichPart>| {
        if !para.trim().is_empty() {
            parts.push(RichPart::Para(para.trim().to_string()));
        }
        para.clear();
    };
    let flush_bullets = |b: &mut Vec<String>, parts: &mut Vec<RichPart>| {
        if !b.is_empty() {
            parts.push(RichPart::Bullets(std::mem::take(b)));
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush_para(&mut para, &mut parts);
            flush_bullets(&mut bullets, &mut parts);
            continue;
        }
        if let Some(b) = bullet_of(line) {
            flush_para(&mut para, &mut parts);
            bullets.push(b.to_string());
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if let (true, Some(last)) = (indented, bullets.last_mut()) {
            last.push(' ');
            last.push_str(line.trim());
            continue;
        }
        flush_bullets(&mut bullets, &mut parts);
        if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(line.trim());
    }
    flush_para(&mut para, &mut parts);
    flush_bullets(&mut bullets, &mut parts);
    parts
}

// ---------------------------------------------------------------- Markdown

/// Escape text for Markdown: every character that could start markup is backslashed, line
/// breaks become spaces (callers decide about structure).
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '!' | '{'
            | '}' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    // a line that starts like a list or a heading must not become one
    if let Some(first) = out.chars().next()
        && matches!(first, '-' | '+' | '=')
    {
        out.insert(0, '\\');
    }
    // "1. " or "1) " would start a numbered list
    if let Some(dot) = out.find(['.', ')'])
        && dot > 0
        && out[..dot].chars().all(|c| c.is_ascii_digit())
        && out[dot + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
    {
        out.insert(dot, '\\');
    }
    out
}

fn md_cell(s: &str) -> String {
    let e = md_escape(s);
    if e.is_empty() { " ".into() } else { e }
}

pub fn to_markdown(doc: &Doc) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", md_escape(&doc.title));
    for s in &doc.subtitle {
        let _ = writeln!(o, "*{}*\n", md_escape(s));
    }
    if let Some(b) = &doc.banner {
        let _ = writeln!(o, "> **{}**\n", md_escape(b));
    }
    if !doc.meta.is_empty() {
        let n = doc.meta.len();
        for (i, (k, v)) in doc.meta.iter().enumerate() {
            let brk = if i + 1 < n { "\\" } else { "" };
            let _ = writeln!(o, "**{}:** {}{brk}", md_escape(k), md_escape(v));
        }
        o.push('\n');
    }
    for b in &doc.blocks {
        match b {
            Block::Heading(level, t) => {
                let _ = writeln!(o, "{} {}\n", "#".repeat(*level as usize), md_escape(t));
            }
            Block::Para(t) => {
                let _ = writeln!(o, "{}\n", md_escape(t));
            }
            Block::Rich(t) => {
                for part in parse_rich(t) {
                    match part {
                        RichPart::Para(p) => {
                            let _ = writeln!(o, "{}\n", md_escape(&p));
                        }
                        RichPart::Bullets(bs) => {
                            for x in bs {
                                let _ = writeln!(o, "- {}", md_escape(&x));
                            }
                            o.push('\n');
                        }
                    }
                }
            }
            Block::Fields(fs) => {
                let n = fs.len();
                for (i, (k, v)) in fs.iter().enumerate() {
                    let brk = if i + 1 < n { "\\" } else { "" };
                    let _ = writeln!(o, "*{}:* {}{brk}", md_escape(k), md_escape(v));
                }
                o.push('\n');
            }
            Block::List(items) => {
                for x in items {
                    let _ = writeln!(o, "- {}", md_escape(x));
                }
                o.push('\n');
            }
            Block::Numbered(items) => {
                for (i, x) in items.iter().enumerate() {
                    let _ = writeln!(o, "{}. {}", i + 1, md_escape(x));
                }
                o.push('\n');
            }
            Block::Table { headers, rows } => {
                let _ = writeln!(
                    o,
                    "| {} |",
                    headers
                        .iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(o, "|{}", "---|".repeat(headers.len()));
                for r in rows {
                    let _ = writeln!(
                        o,
                        "| {} |",
                        r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                    );
                }
                o.push('\n');
            }
            Block::Notice(t) => {
                let _ = writeln!(o, "> {}\n", md_escape(t));
            }
        }
    }
    while o.ends_with("\n\n") {
        o.pop();
    }
    if !o.ends_with('\n') {
        o.push('\n');
    }
    o
}

// ---------------------------------------------------------------- HTML

/// Escape text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"@page { size: A4; margin: 22mm 20mm 24mm 24mm; }
html { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.4; color: #000; }
body { margin: 0 auto; max-width: 170mm; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 7mm 0 2mm; border-bottom: 0.4pt solid #154273; color: #154273; }
h3 { font-size: 10.5pt; margin: 5mm 0 1.5mm; page-break-after: avoid; break-after: avoid; }
p { margin: 0 0 2mm; }
.sub { font-style: italic; margin: 0 0 2mm; }
.banner { border: 1.2pt solid #a00; color: #a00; font-weight: bold; text-transform: uppercase; padding: 2mm 3mm; margin: 3mm 0; letter-spacing: 0.03em; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; page-break-inside: auto; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { text-align: left; vertical-align: top; padding: 1mm 2mm; border-bottom: 0.3pt solid #999; }
th { background: #e8eef5; }
table.kop { width: auto; margin: 2mm 0 5mm; }
table.kop th { background: none; font-weight: normal; color: #555; padding-left: 0; width: 28mm; border: 0; }
table.kop td { border: 0; }
dl.velden { display: grid; grid-template-columns: 30mm auto; gap: 0.5mm 2mm; margin: 0 0 2mm; }
dl.velden dt { color: #555; }
dl.velden dd { margin: 0; }
.notice { border-left: 2pt solid #a00; padding: 1mm 3mm; margin: 2mm 0; background: #fbeeee; }
ul, ol { margin: 0 0 2mm; padding-left: 6mm; }
@media screen { body { padding: 10mm; } }
"#;

pub fn to_html(doc: &Doc) -> String {
    let mut o = String::new();
    o.push_str("<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n");
    // no scripts, no external resources, whatever ends up in the text
    o.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    let _ = writeln!(o, "<title>{}</title>", html_escape(&doc.title));
    let _ = writeln!(o, "<style>\n{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(o, "<h1>{}</h1>", html_escape(&doc.title));
    for s in &doc.subtitle {
        let _ = writeln!(o, "<p class=\"sub\">{}</p>", html_escape(s));
    }
    if let Some(b) = &doc.banner {
        let _ = writeln!(o, "<p class=\"banner\">{}</p>", html_escape(b));
    }
    if !doc.meta.is_empty() {
        o.push_str("<table class=\"kop\">\n");
        for (k, v) in &doc.meta {
            let _ = writeln!(
                o,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                html_escape(k),
                html_escape(v)
            );
        }
        o.push_str("</table>\n");
    }
    for b in &doc.blocks {
        match b {
            Block::Heading(level, t) => {
                let l = (*level).clamp(2, 4);
                let _ = writeln!(o, "<h{l}>{}</h{l}>", html_escape(t));
            }
            Block::Para(t) => {
                let _ = writeln!(o, "<p>{}</p>", html_escape(t));
            }
            Block::Rich(t) => {
                for part in parse_rich(t) {
                    match part {
                        RichPart::Para(p) => {
                            let _ = writeln!(o, "<p>{}</p>", html_escape(&p));
                        }
                        RichPart::Bullets(bs) => {
                            o.push_str("<ul>\n");
                            for x in bs {
                                let _ = writeln!(o, "<li>{}</li>", html_escape(&x));
                            }
                            o.push_str("</ul>\n");
                        }
                    }
                }
            }
            Block::Fields(fs) => {
                o.push_str("<dl class=\"velden\">\n");
                for (k, v) in fs {
                    let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", html_escape(k), html_escape(v));
                }
                o.push_str("</dl>\n");
            }
            Block::List(items) | Block::Numbered(items) => {
                let tag = if matches!(b, Block::List(_)) {
                    "ul"
                } else {
                    "ol"
                };
                let _ = writeln!(o, "<{tag}>");
                for x in items {
                    let _ = writeln!(o, "<li>{}</li>", html_escape(x));
                }
                let _ = writeln!(o, "</{tag}>");
            }
            Block::Table { headers, rows } => {
                o.push_str("<table>\n<thead><tr>");
                for h in headers {
                    let _ = write!(o, "<th>{}</th>", html_escape(h));
                }
                o.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    o.push_str("<tr>");
                    for c in r {
                        let _ = write!(o, "<td>{}</td>", html_escape(c));
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</tbody>\n</table>\n");
            }
            Block::Notice(t) => {
                let _ = writeln!(o, "<p class=\"notice\">{}</p>", html_escape(t));
            }
        }
    }
    o.push_str("</body>\n</html>\n");
    o
}

// ---------------------------------------------------------------- CSV

/// One CSV field (RFC 4180). Cells that a spreadsheet would run as a formula get a leading
/// apostrophe.
pub fn csv_field(s: &str) -> String {
    // text wrapped in the TOML file is one paragraph: one line in a cell
    let mut v = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.insert(0, '\'');
    }
    if v.contains([',', ';', '"', '\n', '\r']) || v.starts_with(' ') || v.ends_with(' ') {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// Rows to CSV text with CRLF line ends.
pub fn to_csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut o = String::new();
    o.push_str(
        &headers
            .iter()
            .map(|h| csv_field(h))
            .collect::<Vec<_>>()
            .join(","),
    );
    o.push_str("\r\n");
    for r in rows {
        o.push_str(&r.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        o.push_str("\r\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rich_text() {
        let t = "Eerste regel\nloopt door.\n\n- een\n  twee\n- drie\nSlot.";
        assert_eq!(
            parse_rich(t),
            vec![
                RichPart::Para("Eerste regel loopt door.".into()),
                RichPart::Bullets(vec!["een twee".into(), "drie".into()]),
                RichPart::Para("Slot.".into()),
            ]
        );
    }

    #[test]
    fn nothing_passes_as_markup() {
        let evil =
            "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))";
        let doc = Doc {
            title: evil.into(),
            blocks: vec![Block::Rich(evil.into()), Block::Para(evil.into())],
            ..Doc::default()
        };
        let h = to_html(&doc);
        assert!(!h.contains("<script>") && !h.contains("<img"));
        let m = to_markdown(&doc);
        assert!(!m.replace("\\<", "").contains('<') && m.contains("\\[x\\](javascript"));
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
