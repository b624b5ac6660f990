//! A problem found in a record file, located by file, line, column and field.

use std::fmt;

#[derive(
    Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// The field concerned (dotted for nested: `presenters.who`), or empty for the whole file.
    pub field: String,
    pub message: String,
    pub severity: Severity,
}

impl Problem {
    pub fn error(
        path: &str,
        line: usize,
        column: usize,
        field: &str,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            path: path.to_string(),
            line,
            column,
            field: field.to_string(),
            message: message.into(),
            severity: Severity::Error,
        }
    }

    pub fn warning(
        path: &str,
        line: usize,
        column: usize,
        field: &str,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(path, line, column, field, message)
        }
    }
}

impl fmt::Display for Problem {
    /// `file:line:column: field: what is wrong` (the field part left out when there is none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        if self.field.is_empty() {
            write!(
                f,
                "{}:{}:{}: {}{}",
                self.path, self.line, self.column, sev, self.message
            )
        } else {
            write!(
                f,
                "{}:{}:{}: {}: {}{}",
                self.path, self.line, self.column, self.field, sev, self.message
            )
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut line = 1;
    let mut col = 1;
    for (i, c) in text.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// The line and column where `key = …` is written (top level or inside a table), for problems
/// found after parsing. Falls back to line 1.
pub fn locate_key(text: &str, key: &str) -> (usize, usize) {
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return (n + 1, line.len() - trimmed.len() + 1);
        }
    }
    (1, 1)
}

/// Like [`locate_key`], but the n-th occurrence of the key holding `value` (for list entries).
pub fn locate_key_value(text: &str, key: &str, value: &str) -> (usize, usize) {
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && let Some(v) = rest.trim_start().strip_prefix('=')
            && v.contains(value)
        {
            return (n + 1, line.len() - trimmed.len() + 1);
        }
    }
    locate_key(text, key)
}
