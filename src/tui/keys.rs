//! The keymap as data: every command has a name (the word used in the config file and the
//! `:` palette), a description in both languages and default keys per screen. The help overlay,
//! the palette and the key handler all read this one table, so they cannot disagree.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::i18n::Lang;

/// Where a binding applies. `Global` bindings work on every screen unless a screen binds the
/// same key itself.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Ctx {
    Global,
    Overview,
    Actions,
    Meetings,
    Agenda,
    Item,
    Notes,
    History,
    Search,
    Detail,
}

macro_rules! commands {
    ($($cmd:ident $name:literal $nl:literal $en:literal;)+) => {
        /// Every command a key (or the palette) can run.
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
        pub enum Cmd { $($cmd),+ }

        impl Cmd {
            pub const ALL: &'static [Cmd] = &[$(Cmd::$cmd),+];

            /// The name in the config file and the palette.
            pub fn name(self) -> &'static str {
                match self { $(Cmd::$cmd => $name),+ }
            }

            pub fn describe(self, lang: Lang) -> &'static str {
                match (self, lang) { $((Cmd::$cmd, Lang::Nl) => $nl, (Cmd::$cmd, Lang::En) => $en,)+ }
            }

            pub fn from_name(s: &str) -> Option<Cmd> {
                match s { $($name => Some(Cmd::$cmd),)+ _ => None }
            }
        }
    };
}

commands! {
    Quit "quit" "Afsluiten" "Quit";
    Help "help" "Toetsen van dit scherm" "Keys of this screen";
    Palette "palette" "Opdracht op naam" "Run a command by name";
    Search "search" "Zoeken in alles" "Search everything";
    Back "back" "Terug" "Back";
    GoOverview "overview" "Naar Overzicht" "Go to Overview";
    GoActions "actions" "Naar Acties" "Go to Follow-ups";
    GoMeetings "meetings" "Naar Vergaderingen" "Go to Meetings";
    Up "up" "Omhoog" "Up";
    Down "down" "Omlaag" "Down";
    Top "top" "Naar boven" "To the top";
    Bottom "bottom" "Naar beneden" "To the bottom";
    PageUp "page_up" "Pagina omhoog" "Page up";
    PageDown "page_down" "Pagina omlaag" "Page down";
    NextPane "next_pane" "Volgend paneel" "Next pane";
    PrevPane "prev_pane" "Vorig paneel" "Previous pane";
    Open "open" "Openen" "Open";
    History "history" "Geschiedenis van dit record" "History of this record";
    Undo "undo" "Eigen laatste wijziging ongedaan maken" "Undo your last change";
    Theme "theme" "Ander thema" "Switch theme";
    Reload "reload" "Opnieuw inlezen" "Reload from disk";
    Mark "mark" "Markeren voor een groepswijziging" "Mark for a group change";
    SetStatus "set_status" "Status wijzigen" "Change status";
    Done "done" "Gereed melden" "Mark done";
    Reassign "reassign" "Andere trekker" "Reassign";
    Postpone "postpone" "Uitstellen met notitie" "Postpone with a note";
    FilterStatus "filter_status" "Filter op status" "Filter by status";
    FilterOverdue "filter_overdue" "Alleen te late" "Overdue only";
    FilterMine "filter_mine" "Alleen mijn departement" "My department only";
    FilterBody "filter_body" "Filter op gremium" "Filter by body";
    New "new" "Nieuw" "New";
    Edit "edit" "Bewerken" "Edit";
    EditExternal "edit_external" "Tekst in $EDITOR bewerken" "Edit text in $EDITOR";
    EditMeeting "edit_meeting" "Vergadering bewerken" "Edit the meeting";
    Duplicate "duplicate" "Dupliceren" "Duplicate";
    Delete "delete" "Verwijderen" "Delete";
    MoveUp "move_up" "Punt omhoog schuiven" "Move item up";
    MoveDown "move_down" "Punt omlaag schuiven" "Move item down";
    MoveTo "move_to" "Punt naar andere vergadering" "Move item to another meeting";
    OpenNotes "notes" "Verslag van deze vergadering" "Notes of this meeting";
    PrepareNext "prepare_next" "Volgende vergadering voorbereiden" "Prepare the next meeting";
    Attendance "attendance" "Aanwezigheid wijzigen" "Change attendance";
    AddDecision "add_decision" "Besluit toevoegen" "Add a decision";
    AddAgreement "add_agreement" "Afspraak toevoegen" "Add an agreement";
    NewFollowUp "new_follow_up" "Nieuwe actie bij dit punt" "New follow-up for this item";
}

/// A key with its modifiers. Letters carry their case, so Shift is not part of the chord.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Chord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Chord {
    pub fn from_event(k: &KeyEvent) -> Chord {
        let code = match k.code {
            // Some terminals send Shift-Tab as Tab + SHIFT.
            KeyCode::Tab if k.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        Chord {
            code,
            ctrl: k.modifiers.contains(KeyModifiers::CONTROL),
            alt: k.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// `q`, `J`, `ctrl-s`, `alt-x`, `enter`, `esc`, `tab`, `backtab`, `space`, `up`, `pgdn`, `f1`.
    pub fn parse(s: &str) -> Result<Chord, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_lowercase();
            if lower.starts_with("ctrl-") || lower.starts_with("c-") {
                ctrl = true;
                rest = &rest[rest.find('-').map_or(0, |i| i + 1)..];
            } else if lower.starts_with("alt-") || lower.starts_with("a-") {
                alt = true;
                rest = &rest[rest.find('-').map_or(0, |i| i + 1)..];
            } else {
                break;
            }
        }
        let code = match rest.to_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                    _ => {
                        return Err(format!(
                            "`{s}` is not a key (examples: q, J, ctrl-s, enter)"
                        ));
                    }
                }
            }
        };
        Ok(Chord { code, ctrl, alt })
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Char(' ') => "Spatie".into(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl-{}", base.to_uppercase()),
            (_, true) => format!("Alt-{base}"),
            _ => base,
        }
    }
}

use Cmd::*;
use Ctx::*;

/// The shipped bindings: (screen, key, command).
const DEFAULTS: &[(Ctx, &str, Cmd)] = &[
    (Global, "q", Quit),
    (Global, "?", Help),
    (Global, ":", Palette),
    (Global, "/", Cmd::Search),
    (Global, "esc", Back),
    (Global, "backspace", Back),
    (Global, "1", GoOverview),
    (Global, "2", GoActions),
    (Global, "3", GoMeetings),
    (Global, "k", Up),
    (Global, "up", Up),
    (Global, "j", Down),
    (Global, "down", Down),
    (Global, "g", Top),
    (Global, "home", Top),
    (Global, "G", Bottom),
    (Global, "end", Bottom),
    (Global, "pgup", PageUp),
    (Global, "ctrl-u", PageUp),
    (Global, "pgdn", PageDown),
    (Global, "ctrl-d", PageDown),
    (Global, "tab", NextPane),
    (Global, "backtab", PrevPane),
    (Global, "enter", Open),
    (Global, "l", Open),
    (Global, "right", Open),
    (Global, "h", Back),
    (Global, "left", Back),
    (Global, "H", Cmd::History),
    (Global, "u", Undo),
    (Global, "t", Theme),
    (Global, "ctrl-r", Reload),
    (Actions, "space", Mark),
    (Actions, "s", SetStatus),
    (Actions, "d", Done),
    (Actions, "r", Reassign),
    (Actions, "p", Postpone),
    (Actions, "f", FilterStatus),
    (Actions, "o", FilterOverdue),
    (Actions, "m", FilterMine),
    (Actions, "b", FilterBody),
    (Actions, "n", New),
    (Actions, "e", Edit),
    (Actions, "E", EditExternal),
    (Actions, "y", Duplicate),
    (Actions, "D", Delete),
    (Overview, "s", SetStatus),
    (Overview, "d", Done),
    (Overview, "v", OpenNotes),
    (Meetings, "b", FilterBody),
    (Meetings, "n", New),
    (Meetings, "e", Edit),
    (Meetings, "y", Duplicate),
    (Meetings, "D", Delete),
    (Meetings, "v", OpenNotes),
    (Meetings, "P", PrepareNext),
    (Agenda, "n", New),
    (Agenda, "e", Edit),
    (Agenda, "m", EditMeeting),
    (Agenda, "y", Duplicate),
    (Agenda, "D", Delete),
    (Agenda, "K", MoveUp),
    (Agenda, "J", MoveDown),
    (Agenda, "M", MoveTo),
    (Agenda, "v", OpenNotes),
    (Agenda, "P", PrepareNext),
    (Agenda, "a", Attendance),
    (Item, "e", Edit),
    (Item, "E", EditExternal),
    (Item, "n", NewFollowUp),
    (Item, "v", OpenNotes),
    (Notes, "b", AddDecision),
    (Notes, "a", AddAgreement),
    (Notes, "n", NewFollowUp),
    (Notes, "e", Edit),
    (Notes, "E", EditExternal),
];

/// Which screens a command belongs to (from the defaults), for the palette and for user
/// bindings of a command the defaults do not bind globally.
pub fn contexts_of(cmd: Cmd) -> Vec<Ctx> {
    let mut v: Vec<Ctx> = DEFAULTS
        .iter()
        .filter(|(_, _, c)| *c == cmd)
        .map(|(x, _, _)| *x)
        .collect();
    v.dedup();
    v
}

#[derive(Clone, Debug)]
pub struct Keymap {
    /// (screen, chord, command), in order of precedence within a screen.
    pub bindings: Vec<(Ctx, Chord, Cmd)>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let bindings = DEFAULTS
            .iter()
            .filter_map(|(ctx, k, c)| Chord::parse(k).ok().map(|ch| (*ctx, ch, *c)))
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the user's `[keys]` applied: each named command gets exactly the keys
    /// given (in the screens where it lives); every other command keeps its defaults.
    pub fn with_overrides(user: &BTreeMap<String, Vec<String>>) -> (Keymap, Vec<String>) {
        let mut km = Keymap::default();
        let mut problems = Vec::new();
        for (name, keys) in user {
            let Some(cmd) = Cmd::from_name(name) else {
                problems.push(format!("keys: unknown command `{name}`"));
                continue;
            };
            let mut chords = Vec::new();
            for k in keys {
                match Chord::parse(k) {
                    Ok(c) => chords.push(c),
                    Err(e) => problems.push(format!("keys.{name}: {e}")),
                }
            }
            let ctxs = contexts_of(cmd);
            km.bindings.retain(|(_, _, c)| *c != cmd);
            // A user's key wins over a default that used it in the same screen.
            for ctx in &ctxs {
                km.bindings
                    .retain(|(x, ch, _)| !(x == ctx && chords.contains(ch)));
                for ch in &chords {
                    km.bindings.insert(0, (*ctx, *ch, cmd));
                }
            }
        }
        (km, problems)
    }

    /// The command for a key on a screen: the screen's own binding, else the global one.
    pub fn lookup(&self, ctx: Ctx, chord: &Chord) -> Option<Cmd> {
        let find = |c: Ctx| {
            self.bindings
                .iter()
                .find(|(x, ch, _)| *x == c && ch == chord)
                .map(|(_, _, cmd)| *cmd)
        };
        find(ctx).or_else(|| find(Global))
    }

    /// The keys of a command on a screen, for help and hints.
    pub fn keys_for(&self, ctx: Ctx, cmd: Cmd) -> Vec<Chord> {
        let own: Vec<Chord> = self
            .bindings
            .iter()
            .filter(|(x, _, c)| *x == ctx && *c == cmd)
            .map(|(_, ch, _)| *ch)
            .collect();
        if own.is_empty() {
            self.bindings
                .iter()
                .filter(|(x, ch, c)| *x == Global && *c == cmd && self.lookup(ctx, ch) == Some(cmd))
                .map(|(_, ch, _)| *ch)
                .collect()
        } else {
            own
        }
    }

    /// (keys, command) for a screen: its own commands first, then the global ones.
    pub fn help(&self, ctx: Ctx) -> Vec<(String, Cmd)> {
        let mut out: Vec<(String, Cmd)> = Vec::new();
        for c in [ctx, Global] {
            for (x, _, cmd) in &self.bindings {
                if *x != c || out.iter().any(|(_, k)| k == cmd) {
                    continue;
                }
                let keys = self.keys_for(ctx, *cmd);
                if keys.is_empty() {
                    continue;
                }
                let label: Vec<String> = keys.iter().map(Chord::label).collect();
                out.push((label.join(" "), *cmd));
            }
        }
        out
    }

    /// Commands usable on a screen, for the palette.
    pub fn commands_for(&self, ctx: Ctx) -> Vec<Cmd> {
        Cmd::ALL
            .iter()
            .copied()
            .filter(|c| {
                let cs = contexts_of(*c);
                cs.contains(&Global) || cs.contains(&ctx)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_parse_and_label() {
        let c = Chord::parse("ctrl-s").expect("parse");
        assert!(c.ctrl && c.code == KeyCode::Char('s'));
        assert_eq!(c.label(), "Ctrl-S");
        assert_eq!(Chord::parse("J").expect("J").code, KeyCode::Char('J'));
        assert!(Chord::parse("nonsense").is_err());
    }

    #[test]
    fn every_default_parses_and_every_command_has_a_key() {
        for (_, k, _) in DEFAULTS {
            Chord::parse(k).unwrap_or_else(|e| panic!("{e}"));
        }
        for c in Cmd::ALL {
            assert!(!contexts_of(*c).is_empty(), "{} has no key", c.name());
            assert_eq!(Cmd::from_name(c.name()), Some(*c));
        }
    }

    #[test]
    fn screen_keys_win_and_user_file_overrides_only_what_it_names() {
        let km = Keymap::default();
        let d = Chord::parse("d").expect("d");
        assert_eq!(km.lookup(Ctx::Actions, &d), Some(Cmd::Done));
        assert_eq!(km.lookup(Ctx::Meetings, &d), None);
        let q = Chord::parse("q").expect("q");
        assert_eq!(km.lookup(Ctx::Actions, &q), Some(Cmd::Quit));
        let mut user = BTreeMap::new();
        user.insert("set_status".to_string(), vec!["S".to_string()]);
        let (km, problems) = Keymap::with_overrides(&user);
        assert!(problems.is_empty());
        let s = Chord::parse("s").expect("s");
        let big_s = Chord::parse("S").expect("S");
        assert_eq!(km.lookup(Ctx::Actions, &big_s), Some(Cmd::SetStatus));
        assert_eq!(km.lookup(Ctx::Actions, &s), None);
        assert_eq!(km.lookup(Ctx::Actions, &d), Some(Cmd::Done));
        let help = km.help(Ctx::Actions);
        assert!(help.iter().any(|(k, c)| k == "S" && *c == Cmd::SetStatus));
    }
}
