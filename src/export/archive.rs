//! The whole workshop as one versioned JSON file (`format: "ripple-archive"`,
//! `version: 1`) that `ripple import` and the app open again into an identical
//! workshop, and from which every other export is made.
//!
//! Nothing of the database's identity goes in: no workshop id, no session code, no
//! tokens or their hashes. Participants are numbered from 1 in the order they joined,
//! and answers and predictions refer to those numbers, so exporting an imported
//! archive gives the same bytes.
//!
//! To extend it (the Engagement Cycle, say), add a field with `#[serde(default)]`:
//! version 1 archives without it keep opening. Bump [`ARCHIVE_VERSION`] only for a
//! change an older Ripple would misread.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::agenda::Agenda;
use crate::cycle::{Cycle, CycleWalk, NeedProposal, ProposalStatus};
use crate::layout::Positions;
use crate::engine::{ImpactResult, Incident};
use crate::game::{GamePhase, GameRoundId, Prediction};
use crate::org::OrgMap;
use crate::participants::{Answer, RoundStates, NAME_MAX};
use crate::scorecard::Scorecard;

use super::ExportError;

/// The `format` field of every archive.
pub const ARCHIVE_FORMAT: &str = "ripple-archive";
/// The archive version this build writes and the newest it reads.
pub const ARCHIVE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Archive {
    /// Always [`ARCHIVE_FORMAT`].
    pub format: String,
    pub version: u32,
    /// The workshop's name.
    pub name: String,
    pub map: OrgMap,
    pub agenda: Agenda,
    /// Which participant rounds were open.
    #[serde(default)]
    pub rounds: RoundStates,
    /// In the order they joined.
    #[serde(default)]
    pub participants: Vec<ArchivedParticipant>,
    /// By participant, then question.
    #[serde(default)]
    pub answers: Vec<ArchivedAnswer>,
    /// Ripple Effect rounds, oldest first.
    #[serde(default)]
    pub game: Vec<ArchivedGameRound>,
    /// Units the trainer placed by hand on the map (canvas coordinates).
    #[serde(default, skip_serializing_if = "Positions::is_empty")]
    pub positions: Positions,
    /// Engagement Cycles, in the order they were made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cycles: Vec<Cycle>,
    /// Where the walkthrough was, if one was under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle_walk: Option<CycleWalk>,
    /// Needs the room proposed in the walkthroughs; `participant` and `voters` are
    /// archive participant numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proposals: Vec<NeedProposal>,
    /// The unit scorecard, for whoever reads the file without Ripple: worked out from
    /// the rest on every export, never read back (an import works it out again).
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<Scorecard>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedParticipant {
    /// 1, 2, … in the order they joined (not the database's id).
    pub id: u32,
    /// `None`: joined anonymously (or the export was made anonymous).
    pub name: Option<String>,
    pub unit: String,
    pub manager: bool,
    /// Unix ms.
    pub joined_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedAnswer {
    /// The participant's [`ArchivedParticipant::id`].
    pub participant: u32,
    /// Unix ms.
    pub submitted_at: i64,
    pub answer: Answer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedGameRound {
    pub id: GameRoundId,
    pub incidents: Vec<Incident>,
    /// The map as it was when the round was played.
    pub map: OrgMap,
    pub result: ImpactResult,
    pub phase: GamePhase,
    /// Unix ms.
    pub started_at: i64,
    /// By participant.
    #[serde(default)]
    pub predictions: Vec<ArchivedPrediction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedPrediction {
    pub participant: u32,
    /// Unix ms.
    pub submitted_at: i64,
    pub prediction: Prediction,
}

/// Whether the file at `path` says it is a Ripple archive (its `format` field), so
/// `ripple new --from` can tell an archive from a map.
pub fn looks_like_archive(path: &std::path::Path) -> bool {
    #[derive(Deserialize)]
    struct Header {
        format: Option<String>,
    }
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<Header>(&text).ok())
        .is_some_and(|h| h.format.as_deref() == Some(ARCHIVE_FORMAT))
}

impl Archive {
    /// The archive as it is written: pretty JSON ending in a newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an archive serialises") + "\n"
    }

    /// Reads and checks an archive; every error names the field that is wrong.
    pub fn from_json(text: &str) -> Result<Archive, ExportError> {
        // The header first, so a newer or foreign file is named as such rather than
        // by whichever field it happens to lack.
        #[derive(Deserialize)]
        struct Header {
            format: Option<serde_json::Value>,
            version: Option<serde_json::Value>,
        }
        let header: Header =
            serde_json::from_str(text).map_err(|e| ExportError::Archive(format!("not a JSON archive: {e}")))?;
        if header.format.as_ref().and_then(|f| f.as_str()) != Some(ARCHIVE_FORMAT) {
            return Err(ExportError::Archive(format!("format: expected \"{ARCHIVE_FORMAT}\" (this is not a Ripple archive)")));
        }
        match header.version.as_ref().and_then(|v| v.as_u64()) {
            Some(v) if (1..=u64::from(ARCHIVE_VERSION)).contains(&v) => {}
            Some(v) if v > u64::from(ARCHIVE_VERSION) => {
                return Err(ExportError::Archive(format!(
                    "version: {v} is newer than this Ripple reads (up to {ARCHIVE_VERSION}); update Ripple"
                )))
            }
            _ => return Err(ExportError::Archive("version: expected a whole number from 1".into())),
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let archive: Archive = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            // The path names the field (`participants[2].unit`); "." is the file itself.
            let path = e.path().to_string();
            match path.as_str() {
                "." => ExportError::Archive(e.into_inner().to_string()),
                _ => ExportError::Archive(format!("{path}: {}", e.into_inner())),
            }
        })?;
        archive.check()?;
        Ok(archive)
    }

    /// The rules a database would enforce, checked before anything is written.
    pub fn check(&self) -> Result<(), ExportError> {
        let bad = |field: String, message: &str| Err(ExportError::Archive(format!("{field}: {message}")));
        if let Err(message) = crate::workshop::validate_name(&self.name) {
            return bad("name".into(), &message);
        }
        if let Err(e) = self.map.validate() {
            return bad("map".into(), &e.to_string());
        }
        let mut activities = HashSet::new();
        for (i, a) in self.agenda.activities.iter().enumerate() {
            if a.id == 0 || !activities.insert(a.id) {
                return bad(format!("agenda.activities[{i}].id"), "ids are unique and from 1");
            }
            if let Err(message) = a.draft().validate() {
                return bad(format!("agenda.activities[{i}]"), &message);
            }
        }
        let mut people = HashSet::new();
        for (i, p) in self.participants.iter().enumerate() {
            if p.id == 0 || !people.insert(p.id) {
                return bad(format!("participants[{i}].id"), "ids are unique and from 1");
            }
            if p.name.as_ref().is_some_and(|n| n.is_empty() || n.chars().count() > NAME_MAX) {
                return bad(format!("participants[{i}].name"), &format!("1 to {NAME_MAX} characters, or null"));
            }
            if p.unit.is_empty() {
                return bad(format!("participants[{i}].unit"), "must not be empty");
            }
        }
        let mut questions = HashSet::new();
        for (i, a) in self.answers.iter().enumerate() {
            if !people.contains(&a.participant) {
                return bad(format!("answers[{i}].participant"), &format!("no participant {}", a.participant));
            }
            if !questions.insert((a.participant, a.answer.question())) {
                return bad(format!("answers[{i}]"), "a participant answers each question once");
            }
            let ratings: Vec<u8> = match &a.answer {
                Answer::Customers { customers } => customers.iter().map(|c| c.rating).collect(),
                Answer::ReceivedRating { rating, .. } => vec![*rating],
                _ => vec![],
            };
            if ratings.iter().any(|r| !(1..=10).contains(r)) {
                return bad(format!("answers[{i}].answer"), "a rating is from 1 to 10");
            }
        }
        let mut rounds = HashSet::new();
        for (i, g) in self.game.iter().enumerate() {
            if !rounds.insert(g.id) {
                return bad(format!("game[{i}].id"), "round ids are unique");
            }
            if let Err(e) = g.map.validate() {
                return bad(format!("game[{i}].map"), &e.to_string());
            }
            let mut predicted = HashSet::new();
            for (j, p) in g.predictions.iter().enumerate() {
                if !people.contains(&p.participant) || !predicted.insert(p.participant) {
                    return bad(format!("game[{i}].predictions[{j}].participant"), "an unknown participant, or one named twice");
                }
            }
        }
        let mut cycles = HashSet::new();
        for (i, c) in self.cycles.iter().enumerate() {
            if c.id == 0 || !cycles.insert(c.id) {
                return bad(format!("cycles[{i}].id"), "ids are unique and from 1");
            }
            if let Err(e) = c.clone().validate(&self.map) {
                return bad(format!("cycles[{i}]"), &e.message);
            }
        }
        if let Some(walk) = &self.cycle_walk {
            if !self.cycles.iter().any(|c| c.id == walk.cycle && c.stage(walk.stage).is_some()) {
                return bad("cycle_walk".into(), "names no stage of a cycle in the archive");
            }
        }
        let mut proposals = HashSet::new();
        for (i, p) in self.proposals.iter().enumerate() {
            if p.id == 0 || !proposals.insert(p.id) {
                return bad(format!("proposals[{i}].id"), "ids are unique and from 1");
            }
            if !cycles.contains(&p.cycle) {
                return bad(format!("proposals[{i}].cycle"), &format!("no cycle {}", p.cycle));
            }
            if let Some(v) = std::iter::once(&p.participant).chain(&p.voters).find(|v| !people.contains(v)) {
                return bad(format!("proposals[{i}]"), &format!("no participant {v}"));
            }
            if let ProposalStatus::Merged { into } = p.status {
                if !self.proposals.iter().any(|q| q.id == into) {
                    return bad(format!("proposals[{i}].status"), &format!("merged into {into}, which is not in the archive"));
                }
            }
        }
        Ok(())
    }

    /// A workshop with this map and the default agenda, and nothing else yet.
    pub fn new(name: &str, map: OrgMap) -> Archive {
        Archive {
            format: ARCHIVE_FORMAT.into(),
            version: ARCHIVE_VERSION,
            name: name.into(),
            map,
            agenda: Agenda::new_default(),
            rounds: RoundStates::default(),
            participants: vec![],
            answers: vec![],
            game: vec![],
            positions: Positions::default(),
            cycles: vec![],
            cycle_walk: None,
            proposals: vec![],
            scorecard: None,
        }
    }

    /// The same workshop with every participant's name left out.
    pub fn anonymized(mut self) -> Archive {
        for p in &mut self.participants {
            p.name = None;
        }
        self
    }

    /// A participant by archive id (ids are 1, 2, … in order when Ripple wrote the
    /// archive, so the lookup is direct; any other numbering is searched).
    pub fn participant(&self, id: u32) -> Option<&ArchivedParticipant> {
        match self.participants.get((id as usize).wrapping_sub(1)) {
            Some(p) if p.id == id => Some(p),
            _ => self.participants.iter().find(|p| p.id == id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Archive {
        Archive {
            participants: vec![ArchivedParticipant { id: 1, name: Some("Ana".into()), unit: "finance".into(), manager: false, joined_at: 5 }],
            ..Archive::new("Cohort A", crate::workshop::demo_map())
        }
    }

    #[test]
    fn an_archive_reads_back_as_written() {
        let a = small();
        assert_eq!(Archive::from_json(&a.to_json()).unwrap(), a);
    }

    #[test]
    fn a_wrong_field_is_named_by_its_path() {
        let text = small().to_json().replace("\"unit\": \"finance\"", "\"unit\": 7");
        let e = Archive::from_json(&text).unwrap_err().to_string();
        assert!(e.starts_with("participants[0].unit: invalid type"), "{e}");
        let mut missing: serde_json::Value = serde_json::from_str(&small().to_json()).unwrap();
        missing.as_object_mut().unwrap().remove("map");
        let e = Archive::from_json(&missing.to_string()).unwrap_err().to_string();
        assert!(e.starts_with("missing field `map`"), "{e}");
    }

    #[test]
    fn a_foreign_or_newer_file_is_refused_by_its_header() {
        assert!(Archive::from_json("{\"version\": 1}").unwrap_err().to_string().starts_with("format:"));
        let newer = small().to_json().replace("\"version\": 1,", "\"version\": 2,");
        assert!(Archive::from_json(&newer).unwrap_err().to_string().contains("newer than this Ripple"));
        assert!(Archive::from_json("not json").unwrap_err().to_string().starts_with("not a JSON archive"));
    }

    #[test]
    fn references_to_unknown_participants_and_bad_ratings_are_refused() {
        let mut a = small();
        a.answers.push(ArchivedAnswer { participant: 9, submitted_at: 1, answer: Answer::Thanks { unit: "it".into(), message: "ta".into() } });
        assert!(a.check().unwrap_err().to_string().starts_with("answers[0].participant: no participant 9"));
        a.answers[0] = ArchivedAnswer { participant: 1, submitted_at: 1, answer: Answer::ReceivedRating { unit: "it".into(), rating: 11, comment: String::new() } };
        assert!(a.check().unwrap_err().to_string().starts_with("answers[0].answer: a rating"));
    }

    #[test]
    fn the_scorecard_in_a_file_is_for_readers_and_never_read_back() {
        let mut a = small();
        a.scorecard = Some(crate::export::scorecard_of(&a));
        let text = a.to_json();
        assert!(text.contains("\"scorecard\""));
        assert_eq!(Archive::from_json(&text).unwrap().scorecard, None);
    }

    #[test]
    fn anonymizing_drops_every_name() {
        let a = small().anonymized();
        assert!(a.participants.iter().all(|p| p.name.is_none()));
        assert!(!a.to_json().contains("Ana"));
    }
}
