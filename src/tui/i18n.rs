//! The workbench's words in Dutch and English. One table, one exhaustive match: a string that
//! is missing in one language is a compile error, not a blank on screen.

use crate::model::Date;
use crate::model::date::{MONTHS_EN, MONTHS_NL, WEEKDAYS_EN, WEEKDAYS_NL};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    /// `nl`, `en`, or a locale such as `nl_NL.UTF-8`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_lowercase();
        if s.starts_with("nl") {
            Some(Lang::Nl)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// From the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`); Dutch when it says nothing usable,
    /// because the users are a Dutch secretariat.
    pub fn from_locale() -> Lang {
        for k in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(k)
                && !v.is_empty()
            {
                return Lang::parse(&v).unwrap_or(Lang::Nl);
            }
        }
        Lang::Nl
    }

    /// A date for lists: "8 feb 2021" / "8 Feb 2021".
    pub fn date_short(self, d: Date) -> String {
        match self {
            Lang::Nl => d.short_nl(),
            Lang::En => {
                let m = MONTHS_EN[usize::from(d.month.clamp(1, 12) - 1)];
                format!("{} {} {}", d.day, m.get(..3).unwrap_or(m), d.year)
            }
        }
    }

    /// A date in full: "maandag 8 februari 2021".
    pub fn date_long(self, d: Date) -> String {
        let (days, months) = match self {
            Lang::Nl => (WEEKDAYS_NL, MONTHS_NL),
            Lang::En => (WEEKDAYS_EN, MONTHS_EN),
        };
        format!(
            "{} {} {} {}",
            days[d.weekday() % 7],
            d.day,
            months[usize::from(d.month.clamp(1, 12) - 1)],
            d.year
        )
    }

    pub fn t(self, m: Msg) -> &'static str {
        m.text(self)
    }
}

macro_rules! messages {
    ($($name:ident => $nl:literal, $en:literal;)+) => {
        /// Every user-visible text of the workbench.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum Msg { $($name),+ }

        impl Msg {
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$name, Lang::Nl) => $nl, (Msg::$name, Lang::En) => $en,)+
                }
            }
        }
    };
}

messages! {
    // screens
    Overview => "Overzicht", "Overview";
    Actions => "Acties", "Follow-ups";
    Meetings => "Vergaderingen", "Meetings";
    Agenda => "Agenda", "Agenda";
    Item => "Agendapunt", "Agenda item";
    Notes => "Verslag", "Notes";
    History => "Geschiedenis", "History";
    Search => "Zoeken", "Search";
    Help => "Help", "Help";
    Record => "Gegevens", "Record";
    Palette => "Opdracht", "Command";
    // overview
    NextMeetings => "Komende vergaderingen", "Next meetings";
    MyFollowUps => "Open acties van", "Open follow-ups of";
    PrepAgenda => "agenda", "agenda";
    PrepPapers => "stukken", "papers";
    PrepPresenters => "inleiders", "presenters";
    NoUpcoming => "Geen komende vergaderingen.", "No upcoming meetings.";
    NothingOpen => "Geen open acties.", "No open follow-ups.";
    Unshared => "niet gedeeld", "not shared";
    Overdue => "te laat", "overdue";
    // columns
    ColRef => "Nr", "Ref";
    ColTitle => "Titel", "Title";
    ColOwner => "Trekker", "Owner";
    ColDue => "Gereed", "Due";
    ColStatus => "Status", "Status";
    ColDate => "Datum", "Date";
    ColBody => "Gremium", "Body";
    ColTreatment => "Behandeling", "Treatment";
    ColLead => "Lead", "Lead";
    ColPresenter => "Inleider", "Presenter";
    ColMinutes => "Min", "Min";
    ColTime => "Tijd", "Time";
    ColWho => "Wie", "Who";
    ColOrg => "Organisatie", "Organisation";
    ColRole => "Rol", "Role";
    ColAttendance => "Aanwezig", "Attends";
    ColAuthor => "Auteur", "Author";
    ColDept => "Dept", "Dept";
    ColWhat => "Wijziging", "Change";
    ColKind => "Soort", "Kind";
    // filters
    FilterAll => "alle", "all";
    FilterActive => "lopend werk", "active";
    FilterMine => "mijn departement", "my department";
    FilterOverdueOnly => "alleen te laat", "overdue only";
    Filter => "Filter", "Filter";
    Marked => "gemarkeerd", "marked";
    // agenda
    Total => "Totaal", "Total";
    Slot => "tijdslot", "time slot";
    Overrun => "overschrijding", "overrun";
    Participants => "Deelnemers", "Participants";
    Confidential => "VERTROUWELIJK", "CONFIDENTIAL";
    ChathamHouse => "Chatham House Rule: uitspraken niet toeschrijven aan personen of organisaties", "Chatham House Rule: do not attribute statements to people or organisations";
    DoNotDistribute => "Niet verder verspreiden", "Do not distribute further";
    NoItems => "Nog geen agendapunten.", "No agenda items yet.";
    Chair => "Voorzitter", "Chair";
    Location => "Locatie", "Location";
    // item
    Objective => "Doel", "Objective";
    Presenters => "Inleiders", "Presenters";
    Attachments => "Bijlagen", "Attachments";
    LinkedActions => "Acties", "Follow-ups";
    Questions => "Vragen aan de leden", "Questions for members";
    SecAanleiding => "Aanleiding", "Background";
    SecAdvies => "Advies / beslispunten", "Advice / decision points";
    SecKernpunten => "Kernpunten", "Key points";
    SecToelichting => "Toelichting", "Explanation";
    SecSpreekpunten => "Spreekpunten", "Speaking points";
    Empty => "(leeg)", "(empty)";
    Loading => "laden…", "loading…";
    // notes
    Summary => "Samenvatting", "Summary";
    Decisions => "Besluiten", "Decisions";
    Agreements => "Afspraken", "Agreements";
    NoNotes => "Nog geen verslag; b maakt het aan met een eerste besluit.", "No notes yet; b creates them with a first decision.";
    General => "Algemeen", "General";
    // status line
    Saving => "opslaan…", "saving…";
    Saved => "opgeslagen", "saved";
    Error => "Fout", "Error";
    Changes => "wijzigingen", "changes";
    Change1 => "wijziging", "change";
    // search
    SearchHint => "typ om te zoeken; status:open dept:EZK due<2021-04 body:beraad type:action", "type to search; status:open dept:EZK due<2021-04 body:beraad type:action";
    Results => "resultaten", "results";
    // dialogs
    ConfirmYesNo => "j = ja, n = nee", "y = yes, n = no";
    ConfirmDelete => "Verwijderen", "Delete";
    ConfirmUndo => "Laatste eigen wijziging ongedaan maken", "Undo your last change";
    NothingToUndo => "Er is geen eigen wijziging om ongedaan te maken.", "There is no change of yours to undo.";
    FormHint => "Tab volgende veld · Ctrl-S opslaan · Esc annuleren · Ctrl-E in $EDITOR · Enter kiest uit lijst", "Tab next field · Ctrl-S save · Esc cancel · Ctrl-E in $EDITOR · Enter picks from list";
    EditorHint => "Ctrl-S opslaan · Esc annuleren · Ctrl-E in $EDITOR", "Ctrl-S save · Esc cancel · Ctrl-E in $EDITOR";
    PickHint => "typ om te filteren · Enter kiezen · Esc terug", "type to filter · Enter choose · Esc back";
    FixErrors => "Verbeter eerst de gemarkeerde velden.", "Fix the marked fields first.";
    Required => "verplicht", "required";
    NotAllowedHere => "Kan hier niet", "Not available here";
    NoSelection => "Niets geselecteerd", "Nothing selected";
    // forms
    FNewAction => "Nieuwe actie", "New follow-up";
    FEditAction => "Actie bewerken", "Edit follow-up";
    FPostpone => "Uitstellen", "Postpone";
    FNewDecision => "Besluit toevoegen", "Add decision";
    FNewAgreement => "Afspraak toevoegen", "Add agreement";
    FNewMeeting => "Nieuwe vergadering", "New meeting";
    FEditMeeting => "Vergadering bewerken", "Edit meeting";
    FNewItem => "Nieuw agendapunt", "New agenda item";
    FEditItem => "Agendapunt bewerken", "Edit agenda item";
    FPrepare => "Volgende vergadering voorbereiden", "Prepare the next meeting";
    FStatus => "Status kiezen", "Choose status";
    FReassign => "Toewijzen aan", "Assign to";
    FMoveItem => "Verplaatsen naar vergadering", "Move to meeting";
    FTheme => "Thema", "Theme";
    FSection => "Welke tekst?", "Which text?";
    OpenActionsItem => "Openstaande acties vorige vergadering", "Open follow-ups of the previous meeting";
    HeldOver => "aangehouden punten", "held-over items";
    ConfirmCreate => "Aanmaken", "Create";
    ConfirmDuplicate => "Dupliceren als nieuw record", "Duplicate as a new record";
    // sync
    Syncing => "synchroniseren…", "syncing…";
    SyncFetching => "ophalen…", "fetching…";
    SyncObjects => "objecten", "objects";
    SyncMerging => "samenvoegen…", "merging…";
    SyncJoiningPacks => "pakbestanden bundelen…", "joining packs…";
    SyncPackingLoose => "losse objecten inpakken…", "packing loose objects…";
    TidyFailed => "Losse objecten inpakken is mislukt; alle objecten zijn bewaard en het wordt later opnieuw geprobeerd", "Packing the loose objects failed; every object is kept and it is tried again later";
    SyncPushing => "delen…", "pushing…";
    SyncRetrying => "tussendoor gedeeld door een ander; opnieuw ophalen, poging", "someone pushed meanwhile; fetching again, attempt";
    SyncAlready => "Er loopt al een synchronisatie.", "A sync is already running.";
    NotYetShared => "nog niet gedeeld", "not yet shared";
    ToFetch => "binnen te halen", "to fetch";
    LastSync => "sync", "synced";
    NeverSynced => "nog nooit gesynchroniseerd", "never synced";
    SyncFailed => "sync mislukt", "sync failed";
    Resolving => "conflict oplossen…", "resolving…";
    // conflicts
    Conflicts => "Conflicten", "Conflicts";
    Conflict1 => "conflict", "conflict";
    ColField => "Veld", "Field";
    ColChoice => "Keuze", "Choice";
    Ours => "Ons", "Ours";
    Theirs => "Hun", "Theirs";
    Base => "Basis (voor beide wijzigingen)", "Base (before both changes)";
    Absent => "(ontbreekt)", "(absent)";
    ChoiceOpen => "open", "open";
    ChoiceOurs => "ons", "ours";
    ChoiceTheirs => "hun", "theirs";
    ChoiceValue => "eigen waarde", "own value";
    NoConflicts => "Geen conflicten: alles is samengevoegd.", "No conflicts: everything is merged.";
    MergeComplete => "Alle conflicten zijn opgelost en samengevoegd. De volgende synchronisatie (S) deelt het resultaat met de andere departementen.", "Every conflict is resolved and merged. The next sync (S) shares the result with the other departments.";
    ChooseOursTheirs => "Bij dit conflict kies je ons of hun.", "For this conflict choose ours or theirs.";
    Combine => "Combineren", "Combine";
    KindText => "beide kanten wijzigden dezelfde regels", "both sides changed the same lines";
    KindEntryDeleted => "regel verwijderd aan de ene kant, bewerkt aan de andere (de bewerking staat er nog)", "entry removed on one side, edited on the other (the edit is kept)";
    KindRecordDeleted => "record verwijderd aan de ene kant, bewerkt aan de andere (de bewerking staat er nog)", "record deleted on one side, edited on the other (the edit is kept)";
    KindUnreadable => "één versie is geen leesbare TOML: kies het hele record", "one version is not readable TOML: choose the whole record";
}
