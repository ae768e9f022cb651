//! Participants, rounds and answers of a live workshop (schema version 3).

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::participants::{Answer, Participant, ParticipantId, Receipt, Round, RoundStates};
use crate::workshop::WorkshopId;

/// Everything a session needs to know of its room when it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRoom {
    pub code: String,
    pub rounds: RoundStates,
    /// With the hash of each participant's token, in the order they joined.
    pub participants: Vec<(Participant, String)>,
    /// Every current answer, by participant and question.
    pub answers: Vec<(ParticipantId, Answer)>,
    /// The hash of the phone's own id each participant joined with, if it sent one.
    pub clients: Vec<(String, ParticipantId)>,
}

/// A participant joining, as stored (hashes only, never the token or the phone's id).
#[derive(Debug, Clone, Copy)]
pub struct NewParticipant<'a> {
    pub token_hash: &'a str,
    pub name: Option<&'a str>,
    pub unit: &'a str,
    pub manager: bool,
    pub client_hash: Option<&'a str>,
    pub joined_at: i64,
}

fn stored_json_error(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::InvalidStoredMap(format!("a stored {what} cannot be read: {e}"))
}

impl Store {
    /// Starts a transaction several participants' changes share (their own writes
    /// are savepoints inside it): one commit, one disk sync, for a burst of answers.
    pub fn begin_batch(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    pub fn commit_batch(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    /// Takes back a batch whose commit failed (nothing of it is kept).
    pub fn rollback_batch(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// The workshop's session code; the first call makes one with `new_code` (again
    /// while it collides with another workshop's code).
    pub fn session_code(
        &mut self,
        id: WorkshopId,
        mut new_code: impl FnMut() -> Result<String, StoreError>,
    ) -> Result<String, StoreError> {
        let tx = self.conn.transaction()?;
        let found: Option<String> =
            tx.query_row("SELECT code FROM session_code WHERE workshop_id = ?1", [id], |r| r.get(0)).optional()?;
        if let Some(code) = found {
            return Ok(code);
        }
        let exists: bool = tx.query_row("SELECT count(*) FROM workshop WHERE id = ?1", [id], |r| r.get::<_, i64>(0))? > 0;
        if !exists {
            return Err(StoreError::WorkshopNotFound(id));
        }
        for _ in 0..100 {
            let code = new_code()?;
            if tx.execute("INSERT OR IGNORE INTO session_code (workshop_id, code) VALUES (?1, ?2)", params![id, code])? == 1 {
                tx.commit()?;
                return Ok(code);
            }
        }
        Err(StoreError::Io("no free session code was found".into()))
    }

    /// The room as stored: code, rounds, participants and their current answers.
    pub fn load_room(&mut self, id: WorkshopId, new_code: impl FnMut() -> Result<String, StoreError>) -> Result<StoredRoom, StoreError> {
        let code = self.session_code(id, new_code)?;
        let mut rounds = RoundStates::default();
        let mut stmt = self.conn.prepare("SELECT name, open FROM round WHERE workshop_id = ?1")?;
        for row in stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))? {
            let (name, open) = row?;
            if let Some(round) = Round::parse(&name) {
                rounds.set(round, open);
            }
        }
        let mut stmt = self.conn.prepare(
            "SELECT id, name, unit, manager, token_hash FROM participant WHERE workshop_id = ?1 ORDER BY id",
        )?;
        let participants = stmt
            .query_map([id], |r| {
                Ok((Participant { id: r.get(0)?, name: r.get(1)?, unit: r.get(2)?, manager: r.get(3)? }, r.get::<_, String>(4)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT a.participant_id, a.body FROM answer a JOIN participant p ON p.id = a.participant_id
             WHERE p.workshop_id = ?1 ORDER BY a.participant_id, a.question",
        )?;
        let answers = stmt
            .query_map([id], |r| Ok((r.get::<_, ParticipantId>(0)?, r.get::<_, String>(1)?)))?
            .map(|row| {
                let (participant, body) = row?;
                Ok((participant, serde_json::from_str(&body).map_err(|e| stored_json_error("answer", e))?))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut stmt =
            self.conn.prepare("SELECT client_hash, id FROM participant WHERE workshop_id = ?1 AND client_hash IS NOT NULL")?;
        let clients = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
        Ok(StoredRoom { code, rounds, participants, answers, clients })
    }

    /// Adds a participant (validated by the caller) and returns their id.
    pub fn insert_participant(&mut self, workshop: WorkshopId, p: &NewParticipant) -> Result<ParticipantId, StoreError> {
        let tx = self.conn.savepoint()?;
        super::touch(&tx, workshop)?;
        tx.execute(
            "INSERT INTO participant (workshop_id, token_hash, name, unit, manager, client_hash, joined_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![workshop, p.token_hash, p.name, p.unit, p.manager, p.client_hash, p.joined_at],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        ParticipantId::try_from(id).map_err(|_| StoreError::Io(format!("participant id {id} is out of range")))
    }

    /// Gives a participant a new token (a re-sent join: the old token was never
    /// received, or is on a phone that asked again).
    pub fn replace_token(&mut self, participant: ParticipantId, token_hash: &str) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        tx.execute("UPDATE participant SET token_hash = ?2 WHERE id = ?1", params![participant, token_hash])?;
        tx.commit()?;
        Ok(())
    }

    /// The receipt a submission was answered with, if it was stored before.
    pub fn find_receipt(&self, participant: ParticipantId, submission: &str) -> Result<Option<Receipt>, StoreError> {
        let receipt: Option<String> = self
            .conn
            .query_row("SELECT receipt FROM submission WHERE participant_id = ?1 AND id = ?2", params![participant, submission], |r| {
                r.get(0)
            })
            .optional()?;
        receipt.map(|r| serde_json::from_str(&r).map_err(|e| stored_json_error("receipt", e))).transpose()
    }

    /// Stores an answer (replacing the participant's earlier answer to the same
    /// question) and its receipt, in one transaction.
    pub fn save_answer(&mut self, workshop: WorkshopId, answer: &Answer, receipt: &Receipt, at: i64) -> Result<(), StoreError> {
        let body = serde_json::to_string(answer).map_err(|e| StoreError::Io(e.to_string()))?;
        let receipt_json = serde_json::to_string(receipt).map_err(|e| StoreError::Io(e.to_string()))?;
        let tx = self.conn.savepoint()?;
        super::touch(&tx, workshop)?;
        tx.execute(
            "INSERT INTO answer (participant_id, question, round, submission, body, submitted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (participant_id, question) DO UPDATE SET
                round = excluded.round, submission = excluded.submission, body = excluded.body, submitted_at = excluded.submitted_at",
            params![receipt.participant, receipt.question, answer.round().as_str(), receipt.submission, body, at],
        )?;
        tx.execute(
            "INSERT INTO submission (participant_id, id, receipt) VALUES (?1, ?2, ?3)",
            params![receipt.participant, receipt.submission, receipt_json],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Saves the map with a unit participants proposed, and their answers now naming
    /// it, in one transaction.
    pub fn accept_proposed_unit(
        &mut self,
        workshop: WorkshopId,
        map: &crate::org::OrgMap,
        answers: &[(ParticipantId, Answer)],
    ) -> Result<(), StoreError> {
        map.validate()?;
        let tx = self.conn.transaction()?;
        super::replace_map_rows(&tx, workshop, map)?;
        for (participant, answer) in answers {
            let body = serde_json::to_string(answer).map_err(|e| StoreError::Io(e.to_string()))?;
            tx.execute(
                "UPDATE answer SET body = ?3 WHERE participant_id = ?1 AND question = ?2",
                params![participant, answer.question(), body],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Opens or closes a round.
    pub fn set_round(&mut self, workshop: WorkshopId, round: Round, open: bool) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        super::touch(&tx, workshop)?;
        tx.execute(
            "INSERT INTO round (workshop_id, name, open) VALUES (?1, ?2, ?3)
             ON CONFLICT (workshop_id, name) DO UPDATE SET open = excluded.open",
            params![workshop, round.as_str(), open],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes every answer of a round (participants stay; their submission ids stay
    /// known, so a late re-send of an old answer does not bring it back).
    pub fn reset_round(&mut self, workshop: WorkshopId, round: Round) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        super::touch(&tx, workshop)?;
        tx.execute(
            "DELETE FROM answer WHERE round = ?2 AND participant_id IN (SELECT id FROM participant WHERE workshop_id = ?1)",
            params![workshop, round.as_str()],
        )?;
        tx.commit()?;
        Ok(())
    }
}
