//! Engagement Cycles, the walkthrough's place and the room's proposed needs (schema version 6).

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::cycle::{Cycle, CycleId, CycleWalk, NeedProposal, ProposalStatus};
use crate::org::OrgMap;
use crate::participants::{ParticipantId, Receipt};
use crate::workshop::WorkshopId;

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Io(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::InvalidStoredMap(format!("a stored {what} cannot be read: {e}")))
}

impl Store {
    /// A workshop's cycles in the order they were made.
    pub fn load_cycles(&self, workshop: WorkshopId) -> Result<Vec<Cycle>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT body FROM cycle WHERE workshop_id = ?1 ORDER BY position")?;
        let bodies = stmt.query_map([workshop], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        bodies.iter().map(|b| parse("cycle", b)).collect()
    }

    /// Adds or replaces a cycle (by its id) and, in the same transaction, the map its
    /// needs were mapped onto.
    pub fn save_cycle(&mut self, workshop: WorkshopId, cycle: &Cycle, map: Option<&OrgMap>) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        super::touch(&tx, workshop)?;
        if let Some(map) = map {
            map.validate()?;
            super::replace_map_rows(&tx, workshop, map)?;
        }
        tx.execute(
            "INSERT INTO cycle (workshop_id, id, position, body)
             VALUES (?1, ?2, (SELECT coalesce(max(position), -1) + 1 FROM cycle WHERE workshop_id = ?1), ?3)
             ON CONFLICT (workshop_id, id) DO UPDATE SET body = excluded.body",
            params![workshop, cycle.id, json(cycle)?],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a cycle with its proposals (and ends its walkthrough).
    pub fn delete_cycle(&mut self, workshop: WorkshopId, id: CycleId) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        super::touch(&tx, workshop)?;
        tx.execute("DELETE FROM cycle WHERE workshop_id = ?1 AND id = ?2", params![workshop, id])?;
        tx.execute(
            "UPDATE workshop SET cycle_walk = NULL WHERE id = ?1 AND json_extract(cycle_walk, '$.cycle') = ?2",
            params![workshop, id],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn load_cycle_walk(&self, workshop: WorkshopId) -> Result<Option<CycleWalk>, StoreError> {
        let walk: Option<String> =
            self.conn.query_row("SELECT cycle_walk FROM workshop WHERE id = ?1", [workshop], |r| r.get(0)).optional()?.flatten();
        walk.map(|w| parse("walkthrough", &w)).transpose()
    }

    pub fn set_cycle_walk(&mut self, workshop: WorkshopId, walk: Option<&CycleWalk>) -> Result<(), StoreError> {
        let walk = walk.map(json).transpose()?;
        if self.conn.execute("UPDATE workshop SET cycle_walk = ?2 WHERE id = ?1", params![workshop, walk])? == 0 {
            return Err(StoreError::WorkshopNotFound(workshop));
        }
        Ok(())
    }

    /// Every proposed need of a workshop, oldest first, with its voters.
    pub fn load_proposals(&self, workshop: WorkshopId) -> Result<Vec<NeedProposal>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, cycle_id, stage_id, participant_id, need, status, merged_into FROM need_proposal
             WHERE workshop_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([workshop], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, r.get::<_, String>(5)?, r.get(6)?))
            })?
            .collect::<Result<Vec<(u32, u32, u32, u32, String, String, Option<u32>)>, _>>()?;
        let mut votes = self.conn.prepare(
            "SELECT participant_id FROM need_vote WHERE workshop_id = ?1 AND proposal_id = ?2 ORDER BY participant_id",
        )?;
        rows.into_iter()
            .map(|(id, cycle, stage, participant, need, status, merged_into)| {
                Ok(NeedProposal {
                    id,
                    cycle,
                    stage,
                    participant,
                    need: parse("proposed need", &need)?,
                    voters: votes.query_map(params![workshop, id], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?,
                    status: ProposalStatus::parse(&status, merged_into)
                        .ok_or_else(|| StoreError::InvalidStoredMap(format!("proposal {id}: unknown status '{status}'")))?,
                })
            })
            .collect()
    }

    /// Stores a new proposal (its proposer's vote included) and its receipt, as a
    /// savepoint: it may be part of a batch.
    pub fn insert_proposal(&mut self, workshop: WorkshopId, proposal: &NeedProposal, receipt: &Receipt, at: i64) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        tx.execute(
            "INSERT INTO need_proposal (workshop_id, id, cycle_id, stage_id, participant_id, need, status, submitted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7)",
            params![workshop, proposal.id, proposal.cycle, proposal.stage, proposal.participant, json(&proposal.need)?, at],
        )?;
        for voter in &proposal.voters {
            tx.execute(
                "INSERT INTO need_vote (workshop_id, proposal_id, participant_id) VALUES (?1, ?2, ?3)",
                params![workshop, proposal.id, voter],
            )?;
        }
        tx.execute("INSERT INTO submission (participant_id, id, receipt) VALUES (?1, ?2, ?3)", params![receipt.participant, receipt.submission, json(receipt)?])?;
        tx.commit()?;
        Ok(())
    }

    /// A participant's vote for a proposal (`false` takes it back) and its receipt, as a savepoint.
    pub fn save_vote(&mut self, workshop: WorkshopId, proposal: u32, voter: ParticipantId, vote: bool, receipt: &Receipt) -> Result<(), StoreError> {
        let tx = self.conn.savepoint()?;
        if vote {
            tx.execute(
                "INSERT OR IGNORE INTO need_vote (workshop_id, proposal_id, participant_id) VALUES (?1, ?2, ?3)",
                params![workshop, proposal, voter],
            )?;
        } else {
            tx.execute(
                "DELETE FROM need_vote WHERE workshop_id = ?1 AND proposal_id = ?2 AND participant_id = ?3",
                params![workshop, proposal, voter],
            )?;
        }
        tx.execute("INSERT INTO submission (participant_id, id, receipt) VALUES (?1, ?2, ?3)", params![receipt.participant, receipt.submission, json(receipt)?])?;
        tx.commit()?;
        Ok(())
    }

    /// The trainer's decision on a proposal, in one transaction with what it changes:
    /// the cycle (an accepted need joins its stage), the map (its link), and for a
    /// merge the votes moving to the proposal it was merged into.
    pub fn decide_proposal(
        &mut self,
        workshop: WorkshopId,
        proposal: u32,
        status: ProposalStatus,
        cycle: Option<&Cycle>,
        map: Option<&OrgMap>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        super::touch(&tx, workshop)?;
        let merged_into = match status {
            ProposalStatus::Merged { into } => Some(into),
            _ => None,
        };
        tx.execute(
            "UPDATE need_proposal SET status = ?3, merged_into = ?4 WHERE workshop_id = ?1 AND id = ?2",
            params![workshop, proposal, status.as_str(), merged_into],
        )?;
        if let Some(into) = merged_into {
            tx.execute(
                "INSERT OR IGNORE INTO need_vote (workshop_id, proposal_id, participant_id)
                 SELECT workshop_id, ?3, participant_id FROM need_vote WHERE workshop_id = ?1 AND proposal_id = ?2",
                params![workshop, proposal, into],
            )?;
        }
        if let Some(map) = map {
            map.validate()?;
            super::replace_map_rows(&tx, workshop, map)?;
        }
        if let Some(cycle) = cycle {
            tx.execute("UPDATE cycle SET body = ?3 WHERE workshop_id = ?1 AND id = ?2", params![workshop, cycle.id, json(cycle)?])?;
        }
        tx.commit()?;
        Ok(())
    }
}
