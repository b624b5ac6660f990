//! The mouse: scroll moves the selection, a click selects a row or a tab, a second click on
//! the same row opens it.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::action::Effect;
use super::commands;
use super::keys::Cmd;
use super::rows;
use super::state::State;

pub fn mouse(s: &mut State, m: &MouseEvent) -> Vec<Effect> {
    if !s.overlays.is_empty() {
        return Vec::new();
    }
    match m.kind {
        MouseEventKind::ScrollDown => commands::run(s, Cmd::Down),
        MouseEventKind::ScrollUp => commands::run(s, Cmd::Up),
        MouseEventKind::Down(MouseButton::Left) => {
            let (x, y) = (m.column, m.row);
            if let Some((_, cmd)) = s.hits.tabs.iter().find(|(r, _)| r.contains((x, y).into())) {
                return commands::run(s, *cmd);
            }
            let Some((r, pane, offset)) = s
                .hits
                .lists
                .iter()
                .find(|(r, _, _)| r.contains((x, y).into()))
                .copied()
            else {
                return Vec::new();
            };
            let row = offset + usize::from(y - r.y);
            if row >= rows::len(s, pane) {
                return Vec::new();
            }
            let v = s.view_mut();
            let again = v.pane == pane && v.sel[pane] == row;
            v.pane = pane;
            v.sel[pane] = row;
            if again {
                commands::run(s, Cmd::Open)
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}
