//! The closed vocabularies of the domain (domain note §3.13), each as an enum that reads and
//! writes the exact words used in the TOML files and can list its values for pick lists.

/// Declares a string-valued enum: serde uses the given words, `ALL` lists them in order.
macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($word => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown value `{}`, expected one of: {}",
                        s,
                        $name::WORDS.join(", ")
                    ))
                })
            }
        }
    };
}

str_enum!(BodyLevel {
    WorkingGroup = "ambtelijk_werkgroep",
    Directors = "ambtelijk_directeuren",
    DirectorsGeneral = "ambtelijk_dg",
    Political = "bestuurlijk",
    Cabinet = "kabinet",
    ExternalAdvice = "extern_advies",
    Parliament = "parlement",
    Intergovernmental = "interbestuurlijk",
    Event = "evenement",
});

str_enum!(OrgKind {
    Ministry = "ministerie",
    DirectorateGeneral = "directoraat_generaal",
    Directorate = "directie",
    Agency = "agentschap",
    AdvisoryBody = "adviesorgaan",
    LocalGovernment = "medeoverheid",
    Umbrella = "koepel",
    Company = "bedrijf",
    Knowledge = "kennisinstelling",
    Sector = "brancheorganisatie",
    Eu = "eu_instelling",
    Other = "overig",
});

str_enum!(
    /// Privacy class of a person: decides masking in a Woo release.
    PersonClass {
        Minister = "bewindspersoon",
        ElectedOfficial = "gekozen_bestuurder",
        PublicFigure = "publiek_persoon",
        CivilServant = "ambtenaar",
        ExternalParticipant = "extern_deelnemer",
    }
);

impl PersonClass {
    /// Public office holders stay visible in a release; everyone else is masked.
    pub fn is_public_office(self) -> bool {
        matches!(
            self,
            PersonClass::Minister | PersonClass::ElectedOfficial | PersonClass::PublicFigure
        )
    }
}

str_enum!(MeetingStatus {
    Draft = "concept",
    Planned = "gepland",
    Confirmed = "bevestigd",
    Postponed = "uitgesteld",
    Cancelled = "geannuleerd",
    Held = "gehouden",
});

str_enum!(LocationKind { Physical = "fysiek", Online = "online", Hybrid = "hybride" });

str_enum!(Confidentiality {
    None = "geen",
    ChathamHouse = "chatham_house",
    DoNotDistribute = "niet_verder_verspreiden",
});

str_enum!(Distribution {
    Internal = "intern",
    ParticipantsOnly = "alleen_deelnemers",
    Public = "openbaar",
});

str_enum!(ParticipantRole {
    Chair = "voorzitter",
    Minister = "bewindspersoon",
    Member = "lid",
    Presenter = "inleider",
    Support = "ambtelijke_ondersteuning",
    SeniorDelegation = "hoogambtelijke_afvaardiging",
    Invitee = "genodigde",
    OfficialPresent = "ambtelijk_aanwezig",
    Guest = "gast",
});

str_enum!(Attendance { Yes = "ja", Partly = "gedeeltelijk", No = "nee", Unknown = "pm" });

str_enum!(Treatment {
    Opening = "opening",
    Announcement = "mededeling",
    ForInformation = "ter_informatie",
    ForDiscussion = "ter_bespreking",
    ForAdvice = "ter_advisering",
    ForDecision = "ter_besluitvorming",
    ForApproval = "voor_akkoord",
    ApprovalInOutline = "akkoord_op_hoofdlijnen",
    ForNoting = "ter_kennisname",
    Conclusions = "conclusies",
});

str_enum!(ItemStatus {
    Planned = "gepland",
    Handled = "behandeld",
    HeldOver = "aangehouden",
    Dropped = "vervallen",
});

str_enum!(PresenterStatus {
    Confirmed = "bevestigd",
    Proposed = "voorgesteld",
    NotConfirmed = "nog_niet_bevestigd",
    Unknown = "pm",
});

str_enum!(NotesKind {
    DecisionList = "besluitenlijst",
    Minutes = "verslag",
    Feedback = "terugkoppeling",
});

str_enum!(NotesStatus { Draft = "concept", Adopted = "vastgesteld" });

str_enum!(DecisionKind {
    Agreed = "akkoord",
    ApprovedForSending = "geaccordeerd_voor_verzending",
    Consent = "instemming",
    ConditionalConsent = "instemming_onder_voorwaarde",
    Noted = "kennisname",
    Forwarded = "doorgeleiding",
    Cancelled = "annulering",
    Postponed = "uitstel",
});

str_enum!(ActionStatus {
    Open = "open",
    InProgress = "lopend",
    Done = "gereed",
    Dropped = "vervallen",
    Ongoing = "doorlopend",
    Blocked = "geblokkeerd",
});

impl ActionStatus {
    /// Still something to do: counts for "open follow-ups" and can be overdue.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            ActionStatus::Open | ActionStatus::InProgress | ActionStatus::Blocked
        )
    }
}
