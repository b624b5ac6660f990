//! Themes: styles by meaning (title, muted, overdue, banner …), loaded from `themes/*.toml`,
//! a user's file in the config directory, or a path. Views never name a colour.

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The shipped themes: (name, aliases, TOML).
pub const BUILTIN: &[(&str, &[&str], &str)] = &[
    (
        "dark",
        &["donker", "default"],
        include_str!("../../themes/dark.toml"),
    ),
    ("light", &["licht"], include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        &["hoog-contrast", "contrast"],
        include_str!("../../themes/high-contrast.toml"),
    ),
    (
        "rijkshuisstijl",
        &["rijk"],
        include_str!("../../themes/rijkshuisstijl.toml"),
    ),
];

/// One slot as written in a theme file.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct SlotDef {
    pub fg: Option<String>,
    pub bg: Option<String>,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub underline: bool,
    #[serde(default)]
    pub italic: bool,
}

macro_rules! slots {
    ($($slot:ident),+) => {
        /// A theme file: every slot optional, so a user file can name only what it changes
        /// (`extends` says which theme the rest comes from).
        #[derive(Deserialize, Clone, Debug, Default)]
        #[serde(deny_unknown_fields)]
        pub struct ThemeFile {
            pub name: Option<String>,
            pub extends: Option<String>,
            $(pub $slot: Option<SlotDef>,)+
        }

        /// The styles the views use.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Theme {
            pub name: String,
            $(pub $slot: Style,)+
        }

        impl ThemeFile {
            fn overlay(mut self, top: ThemeFile) -> ThemeFile {
                $(if top.$slot.is_some() { self.$slot = top.$slot; })+
                self.name = top.name.or(self.name);
                self
            }

            /// (slot name, definition) of every slot that is set.
            pub fn pairs(&self) -> Vec<(&'static str, &SlotDef)> {
                let mut v = Vec::new();
                $(if let Some(s) = &self.$slot { v.push((stringify!($slot), s)); })+
                v
            }

            fn build(&self) -> Result<Theme, String> {
                let base_bg = self.text.as_ref().and_then(|t| t.bg.clone());
                Ok(Theme {
                    name: self.name.clone().unwrap_or_default(),
                    $($slot: style(self.$slot.as_ref(), base_bg.as_deref())
                        .map_err(|e| format!("{}: {e}", stringify!($slot)))?,)+
                })
            }
        }
    };
}

slots!(
    text, muted, title, accent, header, tab_active, selected, marked, overdue, warning, error, ok,
    banner, highlight, border, status
);

/// `#rrggbb` → colour.
pub fn parse_color(s: &str) -> Result<Color, String> {
    let h = s.trim().trim_start_matches('#');
    if h.len() != 6 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("`{s}` is not a colour; write #rrggbb"));
    }
    let n = u32::from_str_radix(h, 16).map_err(|e| e.to_string())?;
    Ok(Color::Rgb((n >> 16) as u8, (n >> 8) as u8, n as u8))
}

fn style(def: Option<&SlotDef>, base_bg: Option<&str>) -> Result<Style, String> {
    let Some(d) = def else {
        return Ok(Style::default());
    };
    let mut s = Style::default();
    if let Some(fg) = &d.fg {
        s = s.fg(parse_color(fg)?);
    }
    if let Some(bg) = d.bg.as_deref().or(base_bg) {
        s = s.bg(parse_color(bg)?);
    }
    if d.bold {
        s = s.add_modifier(Modifier::BOLD);
    }
    if d.underline {
        s = s.add_modifier(Modifier::UNDERLINED);
    }
    if d.italic {
        s = s.add_modifier(Modifier::ITALIC);
    }
    Ok(s)
}

fn builtin_file(name: &str) -> Option<&'static str> {
    let n = name.trim().to_lowercase();
    BUILTIN
        .iter()
        .find(|(b, aliases, _)| *b == n || aliases.contains(&n.as_str()))
        .map(|(_, _, text)| *text)
}

pub fn parse_file(text: &str) -> Result<ThemeFile, String> {
    toml::from_str(text).map_err(|e| e.message().to_string())
}

/// Resolve a file, following `extends` (one level deep is all a user needs; deeper chains are
/// refused so a loop cannot hang the start).
fn resolve(file: ThemeFile, depth: u8) -> Result<ThemeFile, String> {
    match file.extends.clone() {
        Some(base) if depth < 4 => {
            let text = builtin_file(&base).ok_or_else(|| format!("no theme `{base}` to extend"))?;
            let parent = resolve(parse_file(text)?, depth + 1)?;
            Ok(parent.overlay(file))
        }
        Some(_) => Err("themes extend each other too deeply".into()),
        None => Ok(file),
    }
}

impl Theme {
    /// The default dark theme; the shipped file is tested, so this cannot fail in practice.
    pub fn default_dark() -> Theme {
        Theme::builtin("dark").unwrap_or_else(|_| Theme::plain())
    }

    pub fn builtin(name: &str) -> Result<Theme, String> {
        let text = builtin_file(name).ok_or_else(|| format!("no theme `{name}`"))?;
        resolve(parse_file(text)?, 0)?.build()
    }

    /// For `NO_COLOR`: no colours at all, meaning carried by bold, underline and reverse video.
    pub fn plain() -> Theme {
        let b = Style::default().add_modifier(Modifier::BOLD);
        let rev = Style::default().add_modifier(Modifier::REVERSED);
        Theme {
            name: "no-color".into(),
            text: Style::default(),
            muted: Style::default(),
            title: b,
            accent: Style::default(),
            header: Style::default(),
            tab_active: rev,
            selected: rev,
            marked: b.add_modifier(Modifier::UNDERLINED),
            overdue: b.add_modifier(Modifier::UNDERLINED),
            warning: b,
            error: b,
            ok: Style::default(),
            banner: rev.add_modifier(Modifier::BOLD),
            highlight: b.add_modifier(Modifier::UNDERLINED),
            border: Style::default(),
            status: rev,
        }
    }

    /// By name (shipped, or `<config>/themes/<name>.toml`) or by path to a `.toml` file.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Theme, String> {
        let read = |p: &Path| -> Result<Theme, String> {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let mut f = parse_file(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            if f.extends.is_none() && f.text.is_none() {
                // A partial file without `extends` patches the default.
                f.extends = Some("dark".into());
            }
            let mut t = resolve(f, 0)?.build()?;
            if t.name.is_empty() {
                t.name = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
            }
            Ok(t)
        };
        if name.ends_with(".toml") || name.contains('/') {
            return read(Path::new(name));
        }
        if let Some(dir) = config_dir {
            let p = dir.join("themes").join(format!("{name}.toml"));
            if p.is_file() {
                return read(&p);
            }
        }
        Theme::builtin(name)
    }

    /// The names offered in the theme picker.
    pub fn names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _, _)| *n).collect()
    }

    /// A list row: selected wins, then marked.
    pub fn row(&self, selected: bool, marked: bool) -> Style {
        if selected {
            self.selected
        } else if marked {
            self.text.patch(self.marked)
        } else {
            self.text
        }
    }
}

/// `NO_COLOR` is set and not empty (no-color.org).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// WCAG relative luminance of an sRGB colour.
pub fn luminance(c: Color) -> Option<f64> {
    let Color::Rgb(r, g, b) = c else { return None };
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    Some(0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b))
}

/// WCAG contrast ratio of two colours (1.0 ..= 21.0).
pub fn contrast(a: Color, b: Color) -> Option<f64> {
    let (x, y) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if x > y { (x, y) } else { (y, x) };
    Some((hi + 0.05) / (lo + 0.05))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_theme_reaches_wcag_aa() {
        for (name, _, text) in BUILTIN {
            let file = parse_file(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let theme = Theme::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(theme.name, *name);
            let base_bg = file
                .text
                .as_ref()
                .and_then(|t| t.bg.clone())
                .expect("text.bg");
            for (slot, def) in file.pairs() {
                let Some(fg) = &def.fg else { continue };
                let bg = def.bg.clone().unwrap_or_else(|| base_bg.clone());
                let ratio = contrast(parse_color(fg).expect("fg"), parse_color(&bg).expect("bg"))
                    .expect("rgb");
                assert!(
                    ratio >= 4.5,
                    "{name}.{slot}: {fg} on {bg} is only {ratio:.2}:1"
                );
            }
        }
    }

    #[test]
    fn user_file_patches_only_what_it_names() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(dir.path().join("themes")).expect("mkdir");
        std::fs::write(
            dir.path().join("themes/mijn.toml"),
            "extends = \"light\"\noverdue = { fg = \"#000000\" }\n",
        )
        .expect("write");
        let t = Theme::load("mijn", Some(dir.path())).expect("load");
        let light = Theme::builtin("licht").expect("light");
        assert_eq!(t.text, light.text);
        assert_ne!(t.overdue, light.overdue);
        assert!(Theme::load("bestaat-niet", None).is_err());
    }
}
