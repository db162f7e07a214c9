//! The keymap as data (DESIGN §6 "Navigation"; gitui's self-describing
//! commands, serie's and yazi's keymap files): one table of key → action,
//! each binding with a description, the context it applies in, and an
//! optional short label for the bottom bar. The help overlay and the bottom
//! bar are generated from this table, so they never drift from behaviour.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, InputAction, ViewAction};
use super::lesson::LessonAction;
use super::views::ViewId;

/// One key with its modifiers (Shift is implied by the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub const fn char(c: char) -> Self {
        Self { code: KeyCode::Char(c), ctrl: false }
    }
    pub const fn ctrl(c: char) -> Self {
        Self { code: KeyCode::Char(c), ctrl: true }
    }
    pub const fn code(code: KeyCode) -> Self {
        Self { code, ctrl: false }
    }

    /// Whether a terminal key event is this key. Shift is part of the
    /// character for letters and symbols (`N`, `?`), so it is not compared.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        // Some terminals send Shift-Tab as BackTab, others as Tab + Shift.
        let code = match ev.code {
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        code == self.code && ctrl == self.ctrl && !ev.modifiers.contains(KeyModifiers::ALT)
    }

    /// How the key is written in help and the bottom bar.
    pub fn display(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.ctrl { format!("Ctrl-{name}") } else { name }
    }
}

/// A key as the config file writes it.
fn parse_key(text: &str) -> Option<Key> {
    let one = |s: &str| {
        let mut c = s.chars();
        match (c.next(), c.next()) {
            (Some(ch), None) => Some(ch),
            _ => None,
        }
    };
    if let Some(rest) = text.strip_prefix("Ctrl-") {
        return one(rest).map(Key::ctrl);
    }
    if let Some(ch) = one(text) {
        return Some(Key::char(ch));
    }
    let code = match text {
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Space" => KeyCode::Char(' '),
        f => KeyCode::F(f.strip_prefix('F')?.parse().ok().filter(|n| (1..=12).contains(n))?),
    };
    Some(Key::code(code))
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// In every view (a view's own bindings come first).
    Global,
    /// In one view.
    View(ViewId),
    /// While the help overlay is open.
    Help,
    /// While the input line (search, time, export) is open.
    Input,
    /// While a confirmation popup asks a question.
    Confirm,
    /// Workshop mode: while the lesson pane has the keys.
    Lesson,
    /// Workshop mode: while typing an answer in the lesson pane.
    LessonInput,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::View(v) => v.title(),
            Context::Help => "Help overlay",
            Context::Input => "Input line (search, time, export)",
            Context::Confirm => "Confirmation popup (run inspections)",
            Context::Lesson => "Lesson pane (workshop)",
            Context::LessonInput => "Typing an answer (workshop)",
        }
    }
}

/// One entry of the keymap.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub context: Context,
    pub keys: Vec<Key>,
    pub action: Action,
    /// What it does, for the help overlay.
    pub desc: &'static str,
    /// A one-word label for the bottom bar, if it belongs there.
    pub label: Option<&'static str>,
}

/// The whole keymap.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self::new()
    }
}

impl Keymap {
    /// The default bindings.
    pub fn new() -> Self {
        use Context::{Confirm, Global, Help, Input};
        use KeyCode as K;
        let mut b = Builder::default();
        b.add(Global, &[Key::char('q'), Key::ctrl('c')], Action::Quit, "quit", Some("quit"));
        b.add(
            Global,
            &[Key::char('?'), Key::code(K::F(1))],
            Action::ToggleHelp,
            "show this help",
            Some("help"),
        );
        b.add(
            Global,
            &[Key::char('I')],
            Action::AskRunInspections,
            "run the layout's inspections: shows each command (argv) and asks first",
            Some("run inspections"),
        );
        b.add(Global, &[Key::char('j'), Key::code(K::Down)], Action::Down, "move down", None);
        b.add(Global, &[Key::char('k'), Key::code(K::Up)], Action::Up, "move up", None);
        b.add(Global, &[Key::char('g'), Key::code(K::Home)], Action::Top, "go to the top", None);
        b.add(Global, &[Key::char('G'), Key::code(K::End)], Action::Bottom, "go to the bottom", None);
        b.add(Global, &[Key::ctrl('d'), Key::code(K::PageDown)], Action::PageDown, "page down", None);
        b.add(Global, &[Key::ctrl('u'), Key::code(K::PageUp)], Action::PageUp, "page up", None);
        let drill = "drill into the selection (jump to its subject)";
        b.add(
            Global,
            &[Key::code(K::Enter), Key::char('l'), Key::code(K::Right)],
            Action::Drill,
            drill,
            Some("open"),
        );
        let back = "go back along the breadcrumb";
        b.add(
            Global,
            &[Key::code(K::Esc), Key::code(K::Backspace), Key::char('h'), Key::code(K::Left)],
            Action::Back,
            back,
            Some("back"),
        );
        b.add(Global, &[Key::code(K::Tab)], Action::NextPane, "next pane", Some("pane"));
        b.add(Global, &[Key::code(K::BackTab)], Action::PrevPane, "previous pane", None);
        for view in ViewId::ALL {
            b.add(Global, &[Key::char(view.digit())], Action::ShowView(*view), view.go_desc(), None);
        }
        b.add(Global, &[Key::char('/')], Action::StartSearch, "search", Some("search"));
        b.add(Global, &[Key::char('n')], Action::NextMatch, "next search match", None);
        b.add(Global, &[Key::char('N')], Action::PrevMatch, "previous search match", None);
        b.add(
            Global,
            &[Key::char('f')],
            Action::ToggleFailuresOnly,
            "show failures only (toggle)",
            Some("failures"),
        );
        b.add(
            Global,
            &[Key::char('y')],
            Action::Copy,
            "copy the selected hash or key id (OSC 52)",
            Some("copy"),
        );
        b.add(
            Global,
            &[Key::char('e')],
            Action::StartExport,
            "export the report (Markdown and JSON)",
            Some("export"),
        );
        b.add(Global, &[Key::char('r')], Action::Reverify, "verify again", Some("re-verify"));
        b.add(
            Global,
            &[Key::char('t')],
            Action::StartSetTime,
            "evaluate at another time (RFC 3339)",
            Some("time"),
        );
        b.add(
            Global,
            &[Key::char('w')],
            Action::ToggleWatch,
            "watch the input files and re-verify on change",
            Some("watch"),
        );
        b.add(Global, &[Key::char('a')], Action::NextScenario, "demo: open the next act / scenario", None);
        b.add(
            Global,
            &[Key::char('A')],
            Action::PrevScenario,
            "demo: open the previous act / scenario",
            None,
        );

        let overview = Context::View(ViewId::Overview);
        let jump = "jump to the first failure";
        b.add(
            overview,
            &[Key::code(K::Enter), Key::char('x')],
            Action::JumpFirstFailure,
            jump,
            Some("first failure"),
        );

        let chain = Context::View(ViewId::Chain);
        b.add(
            chain,
            &[Key::char('z')],
            Action::View(ViewAction::ToggleFocus),
            "graph: only the selected item's neighbourhood (toggle)",
            Some("focus"),
        );
        // TUI16: the Chain graph pans in its own pane (Tab to it).
        b.add(
            chain,
            &[Key::char('h'), Key::code(K::Left)],
            Action::View(ViewAction::PanLeft),
            "graph pane: pan left (list pane: back)",
            None,
        );
        b.add(
            chain,
            &[Key::char('l'), Key::code(K::Right)],
            Action::View(ViewAction::PanRight),
            "graph pane: pan right (list pane: open)",
            None,
        );
        let step = Context::View(ViewId::Step);
        b.add(
            step,
            &[Key::char(']')],
            Action::View(ViewAction::NextRule),
            "next rule and its trace",
            Some("next rule"),
        );
        b.add(
            step,
            &[Key::char('[')],
            Action::View(ViewAction::PrevRule),
            "previous rule and its trace",
            None,
        );
        b.add(
            step,
            &[Key::char('m')],
            Action::View(ViewAction::Materials),
            "jump to the materials table",
            Some("materials"),
        );
        b.add(
            step,
            &[Key::char('p')],
            Action::View(ViewAction::Products),
            "jump to the products table",
            Some("products"),
        );

        let findings = Context::View(ViewId::Findings);
        b.add(
            findings,
            &[Key::char('s')],
            Action::CycleSeverity,
            "filter by severity (cycle)",
            Some("severity"),
        );
        b.add(
            findings,
            &[Key::char('c')],
            Action::CycleCategory,
            "filter by category (cycle)",
            Some("category"),
        );

        let close = &[Key::code(K::Esc), Key::char('?'), Key::char('q'), Key::code(K::F(1))];
        b.add(Help, close, Action::ToggleHelp, "close help", Some("close"));
        b.add(Help, &[Key::char('j'), Key::code(K::Down)], Action::Down, "scroll down", None);
        b.add(Help, &[Key::char('k'), Key::code(K::Up)], Action::Up, "scroll up", None);
        b.add(Help, &[Key::ctrl('d'), Key::code(K::PageDown)], Action::PageDown, "page down", None);
        b.add(Help, &[Key::ctrl('u'), Key::code(K::PageUp)], Action::PageUp, "page up", None);
        b.add(Help, &[Key::ctrl('c')], Action::Quit, "quit", None);

        b.add(
            Confirm,
            &[Key::char('y')],
            Action::Confirm,
            "yes: run the commands shown",
            Some("yes, run them"),
        );
        b.add(
            Confirm,
            &[Key::char('n'), Key::code(K::Esc), Key::char('q')],
            Action::CancelConfirm,
            "no: close without running anything",
            Some("no"),
        );
        b.add(Confirm, &[Key::ctrl('c')], Action::Quit, "quit", None);

        b.add(Input, &[Key::code(K::Enter)], Action::Input(InputAction::Submit), "accept", Some("accept"));
        b.add(Input, &[Key::code(K::Esc)], Action::Input(InputAction::Cancel), "cancel", Some("cancel"));
        b.add(
            Input,
            &[Key::code(K::Backspace)],
            Action::Input(InputAction::DeleteBack),
            "delete a character",
            None,
        );
        b.add(Input, &[Key::ctrl('c')], Action::Quit, "quit", None);
        lesson_bindings(&mut b);
        Keymap { bindings: b.0 }
    }

    /// Rebinds actions from the config file's `[keys]`: the action's
    /// bottom-bar label (`quit`, `search`, `export`, …) → a key (`x`,
    /// `Ctrl-x`, `Enter`, `Esc`, `Tab`, `F2`). The key replaces the action's
    /// keys in the views and everywhere (not in the input line and popups).
    /// Returns what could not be applied, in words.
    pub fn rebind(&mut self, keys: &std::collections::BTreeMap<String, String>) -> Vec<String> {
        let mut problems = Vec::new();
        for (label, text) in keys {
            let Some(key) = parse_key(text) else {
                problems.push(format!(
                    "[keys] {label} = {text:?}: not a key (a character, Ctrl-x, Enter, Esc, Tab, F1…F12)"
                ));
                continue;
            };
            let mut found = false;
            for b in &mut self.bindings {
                if b.label == Some(label.as_str()) && matches!(b.context, Context::Global | Context::View(_))
                {
                    b.keys = vec![key];
                    found = true;
                }
            }
            if !found {
                problems.push(format!("[keys] {label}: no such action (the bottom bar names them)"));
            }
        }
        problems
    }

    /// The action for a key event in the given innermost context. Views'
    /// own bindings shadow global ones; typing in the input line inserts
    /// characters.
    pub fn lookup(&self, context: Context, ev: &KeyEvent) -> Option<Action> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.iter().any(|k| k.matches(ev)))
                .map(|b| b.action.clone())
        };
        match context {
            Context::Input => find(Context::Input).or_else(|| match ev.code {
                KeyCode::Char(c) if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                    Some(Action::Input(InputAction::Insert(c)))
                }
                _ => None,
            }),
            Context::Help => find(Context::Help),
            Context::Confirm => find(Context::Confirm),
            Context::LessonInput => find(Context::LessonInput).or_else(|| match ev.code {
                KeyCode::Char(c) if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                    Some(Action::Lesson(LessonAction::Insert(c)))
                }
                _ => None,
            }),
            Context::Lesson => find(Context::Lesson).or_else(|| find(Context::Global)),
            Context::View(_) => find(context).or_else(|| find(Context::Global)),
            Context::Global => find(Context::Global),
        }
    }

    /// Bindings that apply in `context`, innermost first (for the bar).
    pub fn active(&self, context: Context) -> Vec<&Binding> {
        let mut out: Vec<&Binding> = self.bindings.iter().filter(|b| b.context == context).collect();
        if matches!(context, Context::View(_) | Context::Lesson) {
            out.extend(self.bindings.iter().filter(|b| b.context == Context::Global));
        }
        out
    }

    /// The bottom bar: short labels of the active bindings, innermost first.
    /// A key shadowed by an inner binding is not shown for the outer one.
    pub fn bar(&self, context: Context) -> Vec<(String, &'static str)> {
        self.bar_where(context, |_| true)
    }

    /// [`Keymap::bar`] without the bindings whose action `shown` refuses
    /// (keys that do nothing in the current session).
    pub fn bar_where(
        &self,
        context: Context,
        shown: impl Fn(&Action) -> bool,
    ) -> Vec<(String, &'static str)> {
        let mut taken: Vec<Key> = Vec::new();
        let mut out = Vec::new();
        for b in self.active(context).into_iter().filter(|b| shown(&b.action)) {
            let key = b.keys.iter().find(|k| !taken.contains(k)).copied();
            taken.extend(b.keys.iter().copied());
            if let (Some(key), Some(label)) = (key, b.label) {
                out.push((key.display(), label));
            }
        }
        out
    }

    /// The help overlay's content: every binding, grouped by context, as
    /// (heading, [(keys, description)]).
    pub fn help(&self) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
        let mut contexts: Vec<Context> = Vec::new();
        for b in &self.bindings {
            if !contexts.contains(&b.context) {
                contexts.push(b.context);
            }
        }
        contexts
            .into_iter()
            .map(|ctx| {
                let rows = self
                    .bindings
                    .iter()
                    .filter(|b| b.context == ctx)
                    .map(|b| (b.keys.iter().map(Key::display).collect::<Vec<_>>().join(" "), b.desc))
                    .collect();
                (ctx.title(), rows)
            })
            .collect()
    }
}

impl Keymap {
    /// Every binding as a Markdown table (the README's key reference; a
    /// test keeps the two equal).
    pub fn markdown(&self) -> String {
        let mut out = String::from("| keys | what they do | where |\n|---|---|---|\n");
        for b in &self.bindings {
            let keys: Vec<String> =
                b.keys.iter().map(|k| format!("`{}`", k.display().replace('`', "\\`"))).collect();
            let keys = keys.join(" ").replace('|', "\\|");
            let context = match b.context {
                Context::Global => "everywhere".to_owned(),
                other => other.title().to_owned(),
            };
            out.push_str(&format!("| {keys} | {} | {context} |\n", b.desc));
        }
        out
    }
}

/// Workshop mode's keys: `L`, `b` and `u` everywhere (they do nothing
/// outside a workshop), the pane's own while it has the focus.
fn lesson_bindings(b: &mut Builder) {
    use Context::{Global, Lesson, LessonInput};
    use KeyCode as K;
    use LessonAction as L;
    let lesson = |a| Action::Lesson(a);
    b.add(
        Global,
        &[Key::char('L')],
        lesson(L::ToggleFocus),
        "workshop: move between the lesson pane and the view",
        None,
    );
    b.add(
        Global,
        &[Key::char('b')],
        lesson(L::BreakMenu),
        "workshop: break it — play the attacker (menu)",
        None,
    );
    b.add(Global, &[Key::char('u')], lesson(L::Undo), "workshop: undo the last break-it action", None);
    b.add(Lesson, &[Key::char('j'), Key::code(K::Down)], lesson(L::Down), "next choice / menu entry", None);
    b.add(Lesson, &[Key::char('k'), Key::code(K::Up)], lesson(L::Up), "previous choice / menu entry", None);
    b.add(
        Lesson,
        &[Key::code(K::Enter)],
        lesson(L::Enter),
        "answer with the choice, type an answer, or play the attack",
        Some("answer"),
    );
    b.add(
        Lesson,
        &[Key::code(K::Esc)],
        lesson(L::Close),
        "close the menu, else back to the view",
        Some("back"),
    );
    b.add(Lesson, &[Key::char('H')], lesson(L::Hint), "show a hint", Some("hint"));
    b.add(Lesson, &[Key::char(']')], lesson(L::NextTask), "next task", Some("next task"));
    b.add(Lesson, &[Key::char('[')], lesson(L::PrevTask), "previous task", None);
    b.add(Lesson, &[Key::char('b')], lesson(L::BreakMenu), "break it — play the attacker", Some("break it"));
    b.add(Lesson, &[Key::char('u')], lesson(L::Undo), "undo the last break-it action", Some("undo"));
    b.add(Lesson, &[Key::char('>')], lesson(L::NextLesson), "next lesson", Some("next lesson"));
    b.add(Lesson, &[Key::char('<')], lesson(L::PrevLesson), "previous lesson", None);
    b.add(LessonInput, &[Key::code(K::Enter)], lesson(L::Enter), "check the answer", Some("check"));
    b.add(LessonInput, &[Key::code(K::Esc)], lesson(L::Close), "stop typing", Some("cancel"));
    b.add(LessonInput, &[Key::code(K::Backspace)], lesson(L::DeleteBack), "delete a character", None);
    b.add(LessonInput, &[Key::ctrl('c')], Action::Quit, "quit", None);
}

#[derive(Default)]
struct Builder(Vec<Binding>);

impl Builder {
    fn add(
        &mut self,
        context: Context,
        keys: &[Key],
        action: Action,
        desc: &'static str,
        label: Option<&'static str>,
    ) {
        self.0.push(Binding { context, keys: keys.to_vec(), action, desc, label });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn the_config_file_rebinds_an_action_by_its_label() {
        let mut map = Keymap::new();
        let keys = [("quit".to_owned(), "x".to_owned()), ("nope".to_owned(), "y".to_owned())].into();
        let problems = map.rebind(&keys);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let ev = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(map.lookup(Context::Global, &ev('x')), Some(Action::Quit));
        assert_eq!(map.lookup(Context::Global, &ev('q')), None);
        assert!(
            !map.rebind(&[("search".to_owned(), "Ctrl-f".to_owned())].into())
                .iter()
                .any(|p| p.contains("search"))
        );
    }

    #[test]
    fn help_lists_every_binding_with_every_key() {
        let map = Keymap::new();
        let help = map.help();
        let text: String = help
            .iter()
            .flat_map(|(h, rows)| {
                std::iter::once(h.to_string()).chain(rows.iter().map(|(k, d)| format!("{k} {d}")))
            })
            .collect::<Vec<_>>()
            .join("\n");
        for b in &map.bindings {
            assert!(text.contains(b.desc), "help misses {:?}", b.desc);
            assert!(text.contains(b.context.title()));
            for k in &b.keys {
                assert!(text.contains(&k.display()), "help misses key {}", k.display());
            }
        }
        let rows: usize = help.iter().map(|(_, r)| r.len()).sum();
        assert_eq!(rows, map.bindings.len());
    }

    #[test]
    fn the_required_keys_are_bound() {
        let map = Keymap::new();
        let global = Context::View(ViewId::Findings);
        let cases = [
            (key(KeyCode::Char('q'), KeyModifiers::NONE), Action::Quit),
            (key(KeyCode::Char('c'), KeyModifiers::CONTROL), Action::Quit),
            (key(KeyCode::Char('j'), KeyModifiers::NONE), Action::Down),
            (key(KeyCode::Down, KeyModifiers::NONE), Action::Down),
            (key(KeyCode::Char('N'), KeyModifiers::SHIFT), Action::PrevMatch),
            (key(KeyCode::Char('?'), KeyModifiers::SHIFT), Action::ToggleHelp),
            (key(KeyCode::Tab, KeyModifiers::NONE), Action::NextPane),
            (key(KeyCode::Tab, KeyModifiers::SHIFT), Action::PrevPane),
            (key(KeyCode::BackTab, KeyModifiers::SHIFT), Action::PrevPane),
            (key(KeyCode::Char('1'), KeyModifiers::NONE), Action::ShowView(ViewId::Overview)),
            (key(KeyCode::Char('6'), KeyModifiers::NONE), Action::ShowView(ViewId::Findings)),
            (key(KeyCode::Char('s'), KeyModifiers::NONE), Action::CycleSeverity),
        ];
        for (ev, action) in cases {
            assert_eq!(map.lookup(global, &ev), Some(action), "{ev:?}");
        }
        let enter = key(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(map.lookup(Context::View(ViewId::Overview), &enter), Some(Action::JumpFirstFailure));
        assert_eq!(map.lookup(Context::View(ViewId::Findings), &enter), Some(Action::Drill));
    }

    #[test]
    fn the_input_line_takes_letters_but_ctrl_c_still_quits() {
        let map = Keymap::new();
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Context::Input, &q), Some(Action::Input(InputAction::Insert('q'))));
        let cc = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(Context::Input, &cc), Some(Action::Quit));
        assert_eq!(map.lookup(Context::Help, &cc), Some(Action::Quit));
    }

    #[test]
    fn the_bar_shows_view_keys_before_global_ones() {
        let map = Keymap::new();
        let bar = map.bar(Context::View(ViewId::Findings));
        assert_eq!(bar.first(), Some(&("s".to_owned(), "severity")));
        assert!(bar.contains(&("q".to_owned(), "quit")));
    }
}
