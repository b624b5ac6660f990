//! The user's settings (`~/.config/overleg/config.toml`): language, theme and keys. A missing
//! file is the defaults; a broken one is reported on the status line, never fatal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub lang: Option<String>,
    pub theme: Option<String>,
    /// command name → one key or a list of keys
    #[serde(default)]
    pub keys: BTreeMap<String, OneOrMany>,
}

#[derive(Deserialize, Clone, Debug)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// `OVERLEG_CONFIG_DIR`, else `$XDG_CONFIG_HOME/overleg`, else `~/.config/overleg`.
pub fn config_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("OVERLEG_CONFIG_DIR")
        .or_else(|| var("XDG_CONFIG_HOME").map(|d| d.join("overleg")))
        .or_else(|| var("HOME").map(|h| h.join(".config").join("overleg")))
}

impl Config {
    /// Read `config.toml` in `dir`; returns the defaults and a message when it cannot be used.
    pub fn load(dir: Option<&Path>) -> (Config, Option<String>) {
        let Some(dir) = dir else {
            return (Config::default(), None);
        };
        let path = dir.join("config.toml");
        match std::fs::read_to_string(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), None),
            Err(e) => (Config::default(), Some(format!("{}: {e}", path.display()))),
            Ok(text) => match toml::from_str::<Config>(&text) {
                Ok(c) => (c, None),
                Err(e) => (
                    Config::default(),
                    Some(format!("{}: {}", path.display(), e.message())),
                ),
            },
        }
    }

    pub fn key_overrides(&self) -> BTreeMap<String, Vec<String>> {
        self.keys
            .iter()
            .map(|(k, v)| (k.clone(), v.to_vec()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lang_theme_and_keys() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(
            dir.path().join("config.toml"),
            "lang = \"en\"\ntheme = \"light\"\n[keys]\nset_status = \"S\"\nquit = [\"q\", \"ctrl-q\"]\n",
        )
        .expect("write");
        let (c, err) = Config::load(Some(dir.path()));
        assert!(err.is_none());
        assert_eq!(c.lang.as_deref(), Some("en"));
        assert_eq!(c.key_overrides()["quit"].len(), 2);
        std::fs::write(dir.path().join("config.toml"), "taal = 1\n").expect("write");
        let (_, err) = Config::load(Some(dir.path()));
        assert!(err.is_some());
    }
}
