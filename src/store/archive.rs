//! A whole workshop out of the database as an archive, and an archive back in as a
//! new workshop (one transaction: an import either lands whole or not at all).

use std::collections::HashMap;

use rusqlite::params;

use super::{Store, StoreError};
use crate::export::archive::{Archive, ArchivedAnswer, ArchivedGameRound, ArchivedParticipant, ArchivedPrediction, ARCHIVE_FORMAT, ARCHIVE_VERSION};
use crate::cycle::ProposalStatus;
use crate::participants::{Round, RoundStates};
use crate::workshop::WorkshopId;

fn stored(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::InvalidStoredMap(format!("a stored {what} cannot be read: {e}"))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Io(e.to_string()))
}

impl Store {
    /// Everything stored of a workshop. Reads only (no session code is made), so it
    /// can run beside a live session.
    pub fn load_archive(&self, id: WorkshopId) -> Result<Archive, StoreError> {
        let name = self.workshop_name(id)?;
        let map = self.load_map(id)?;
        let agenda = self.load_agenda(id)?;
        let mut rounds = RoundStates::default();
        let mut stmt = self.conn.prepare("SELECT name, open FROM round WHERE workshop_id = ?1")?;
        for row in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))? {
            let (name, open) = row?;
            if let Some(round) = Round::parse(&name) {
                rounds.set(round, open);
            }
        }
        // Participants are renumbered 1, 2, … in joining order: the database's ids stay out.
        let mut stmt =
            self.conn.prepare("SELECT id, name, unit, manager, joined_at FROM participant WHERE workshop_id = ?1 ORDER BY id")?;
        let mut number: HashMap<i64, u32> = HashMap::new();
        let mut participants = Vec::new();
        for row in stmt.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))? {
            let (db_id, name, unit, manager, joined_at) = row?;
            let n = participants.len() as u32 + 1;
            number.insert(db_id, n);
            participants.push(ArchivedParticipant { id: n, name, unit, manager, joined_at });
        }
        let mut stmt = self.conn.prepare(
            "SELECT a.participant_id, a.body, a.submitted_at FROM answer a JOIN participant p ON p.id = a.participant_id
             WHERE p.workshop_id = ?1 ORDER BY a.participant_id, a.question",
        )?;
        let answers = stmt
            .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?
            .map(|row| {
                let (p, body, submitted_at) = row?;
                Ok(ArchivedAnswer {
                    participant: number[&p],
                    submitted_at,
                    answer: serde_json::from_str(&body).map_err(|e| stored("answer", e))?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut times = self.conn.prepare(
            "SELECT round_id, participant_id, submitted_at FROM prediction WHERE workshop_id = ?1",
        )?;
        let submitted: HashMap<(u32, i64), i64> =
            times.query_map([id], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?.collect::<Result<_, _>>()?;
        let game = self
            .load_game(id)?
            .into_iter()
            .map(|g| ArchivedGameRound {
                predictions: g
                    .predictions
                    .into_iter()
                    .map(|(p, prediction)| ArchivedPrediction {
                        participant: number[&i64::from(p)],
                        submitted_at: submitted.get(&(g.id, i64::from(p))).copied().unwrap_or(0),
                        prediction,
                    })
                    .collect(),
                id: g.id,
                incidents: g.incidents,
                map: g.map,
                result: g.result,
                phase: g.phase,
                started_at: g.started_at,
            })
            .collect();
        // Proposals name participants by their archive numbers too.
        let proposals = self
            .load_proposals(id)?
            .into_iter()
            .map(|mut p| {
                p.participant = number[&i64::from(p.participant)];
                p.voters = p.voters.iter().map(|v| number[&i64::from(*v)]).collect();
                p.voters.sort_unstable();
                p
            })
            .collect();
        Ok(Archive {
            format: ARCHIVE_FORMAT.into(),
            version: ARCHIVE_VERSION,
            name,
            map,
            agenda,
            rounds,
            participants,
            answers,
            game,
            positions: self.load_positions(id)?,
            cycles: self.load_cycles(id)?,
            cycle_walk: self.load_cycle_walk(id)?,
            proposals,
            scorecard: None,
        })
    }

    /// Creates a new workshop holding everything in `archive` (checked by the caller
    /// with [`Archive::check`]). Participants get fresh random tokens: the old ones
    /// were never in the archive, so no phone can act as them.
    pub fn import_archive(&mut self, archive: &Archive) -> Result<WorkshopId, StoreError> {
        let name = super::valid_name(&archive.name)?;
        archive.map.validate()?;
        let tx = self.conn.transaction()?;
        let id = super::insert_workshop(&tx, name, &archive.map, &archive.agenda)?;
        for round in Round::ALL {
            tx.execute(
                "INSERT INTO round (workshop_id, name, open) VALUES (?1, ?2, ?3)",
                params![id, round.as_str(), archive.rounds.is_open(round)],
            )?;
        }
        let mut db_id = HashMap::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO participant (workshop_id, token_hash, name, unit, manager, joined_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for p in &archive.participants {
                let token = crate::participants::new_token().map_err(|e| StoreError::Io(e.message))?;
                insert.execute(params![id, crate::participants::token_hash(&token), p.name, p.unit, p.manager, p.joined_at])?;
                db_id.insert(p.id, tx.last_insert_rowid());
            }
            // The submission id of an imported answer is made up: it only has to be unique.
            let mut insert = tx.prepare_cached(
                "INSERT INTO answer (participant_id, question, round, submission, body, submitted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (i, a) in archive.answers.iter().enumerate() {
                let p = *db_id.get(&a.participant).ok_or_else(|| StoreError::Io(format!("answers[{i}]: no participant {}", a.participant)))?;
                let question = a.answer.question();
                insert.execute(params![p, question, a.answer.round().as_str(), format!("import-{i}"), json(&a.answer)?, a.submitted_at])?;
            }
            let mut round = tx.prepare_cached(
                "INSERT INTO game_round (workshop_id, id, incidents, map, result, phase, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut prediction = tx.prepare_cached(
                "INSERT INTO prediction (workshop_id, round_id, participant_id, body, submitted_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for g in &archive.game {
                round.execute(params![id, g.id, json(&g.incidents)?, json(&g.map)?, json(&g.result)?, g.phase.as_str(), g.started_at])?;
                for p in &g.predictions {
                    let who = *db_id.get(&p.participant).ok_or_else(|| StoreError::Io(format!("round {}: no participant {}", g.id, p.participant)))?;
                    prediction.execute(params![id, g.id, who, json(&p.prediction)?, p.submitted_at])?;
                }
            }
            let mut position = tx.prepare_cached("INSERT INTO unit_position (workshop_id, unit_id, x, y) VALUES (?1, ?2, ?3, ?4)")?;
            for (unit, at) in &archive.positions {
                position.execute(params![id, unit, at.x, at.y])?;
            }
            let mut cycle = tx.prepare_cached("INSERT INTO cycle (workshop_id, id, position, body) VALUES (?1, ?2, ?3, ?4)")?;
            for (i, c) in archive.cycles.iter().enumerate() {
                cycle.execute(params![id, c.id, i as i64, json(c)?])?;
            }
            let walk = archive.cycle_walk.as_ref().map(json).transpose()?;
            tx.execute("UPDATE workshop SET cycle_walk = ?2 WHERE id = ?1", params![id, walk])?;
            let mut proposal = tx.prepare_cached(
                "INSERT INTO need_proposal (workshop_id, id, cycle_id, stage_id, participant_id, need, status, merged_into, submitted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)",
            )?;
            let mut vote = tx.prepare_cached("INSERT INTO need_vote (workshop_id, proposal_id, participant_id) VALUES (?1, ?2, ?3)")?;
            for p in &archive.proposals {
                let who = |n: &u32| db_id.get(n).copied().ok_or_else(|| StoreError::Io(format!("proposal {}: no participant {n}", p.id)));
                let merged_into = match p.status {
                    ProposalStatus::Merged { into } => Some(into),
                    _ => None,
                };
                proposal.execute(params![id, p.id, p.cycle, p.stage, who(&p.participant)?, json(&p.need)?, p.status.as_str(), merged_into])?;
                for v in &p.voters {
                    vote.execute(params![id, p.id, who(v)?])?;
                }
            }
        }
        tx.commit()?;
        Ok(id)
    }
}
