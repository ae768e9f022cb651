//! Rounds of the Ripple Effect game and their predictions (schema version 5).

use rusqlite::params;

use super::{Store, StoreError};
use crate::engine::{ImpactResult, Incident};
use crate::game::{GamePhase, GameRoundId, Prediction};
use crate::org::OrgMap;
use crate::participants::{ParticipantId, Receipt};
use crate::workshop::WorkshopId;

/// A round as stored, with every participant's current prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredGameRound {
    pub id: GameRoundId,
    pub incidents: Vec<Incident>,
    pub map: OrgMap,
    pub result: ImpactResult,
    pub phase: GamePhase,
    pub started_at: i64,
    pub predictions: Vec<(ParticipantId, Prediction)>,
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Io(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::InvalidStoredMap(format!("a stored {what} cannot be read: {e}")))
}

impl Store {
    /// Every game round of a workshop, oldest first.
    pub fn load_game(&self, workshop: WorkshopId) -> Result<Vec<StoredGameRound>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, incidents, map, result, phase, started_at FROM game_round WHERE workshop_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([workshop], |r| {
                Ok((r.get::<_, GameRoundId>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?, r.get(5)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut predictions = self.conn.prepare(
            "SELECT participant_id, body FROM prediction WHERE workshop_id = ?1 AND round_id = ?2 ORDER BY participant_id",
        )?;
        rows.into_iter()
            .map(|(id, incidents, map, result, phase, started_at)| {
                let predictions = predictions
                    .query_map(params![workshop, id], |r| Ok((r.get::<_, ParticipantId>(0)?, r.get::<_, String>(1)?)))?
                    .map(|row| {
                        let (p, body) = row?;
                        Ok((p, parse("prediction", &body)?))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(StoredGameRound {
                    id,
                    incidents: parse("incident", &incidents)?,
                    map: parse("map", &map)?,
                    result: parse("result", &result)?,
                    phase: GamePhase::parse(&phase).ok_or_else(|| StoreError::InvalidStoredMap(format!("unknown game phase '{phase}'")))?,
                    started_at,
                    predictions,
                })
            })
            .collect()
    }

    /// Adds a round (its phase as given).
    pub fn insert_game_round(&mut self, workshop: WorkshopId, round: &StoredGameRound) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        super::touch(&tx, workshop)?;
        tx.execute(
            "INSERT INTO game_round (workshop_id, id, incidents, map, result, phase, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![workshop, round.id, json(&round.incidents)?, json(&round.map)?, json(&round.result)?, round.phase.as_str(), round.started_at],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_game_phase(&mut self, workshop: WorkshopId, round: GameRoundId, phase: GamePhase) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        super::touch(&tx, workshop)?;
        tx.execute("UPDATE game_round SET phase = ?3 WHERE workshop_id = ?1 AND id = ?2", params![workshop, round, phase.as_str()])?;
        tx.commit()?;
        Ok(())
    }

    /// Stores a prediction (replacing the participant's earlier one for the round) and
    /// its receipt, as a savepoint: it may be part of a batch.
    pub fn save_prediction(
        &mut self,
        workshop: WorkshopId,
        round: GameRoundId,
        prediction: &Prediction,
        receipt: &Receipt,
        at: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        tx.execute(
            "INSERT INTO prediction (workshop_id, round_id, participant_id, body, submitted_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (workshop_id, round_id, participant_id) DO UPDATE SET body = excluded.body, submitted_at = excluded.submitted_at",
            params![workshop, round, receipt.participant, json(prediction)?, at],
        )?;
        tx.execute(
            "INSERT INTO submission (participant_id, id, receipt) VALUES (?1, ?2, ?3)",
            params![receipt.participant, receipt.submission, json(receipt)?],
        )?;
        tx.commit()?;
        Ok(())
    }
}
