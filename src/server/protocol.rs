//! What a participant's phone and the server say to each other (docs/participant-protocol.md).
//!
//! The same JSON messages travel over the WebSocket (`/ws`) and, for phones whose
//! network breaks WebSockets, as the body of `POST /api`. Every request may carry a
//! `ref` the reply echoes, so a phone can match replies to requests.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::org::{OrgMap, UnitKind};
use crate::participants::{Answer, Receipt, RoundStates};
use crate::session::ParticipantView;

/// Longest `ref` a request may carry.
pub const REF_MAX: usize = 64;

/// A request from a participant's phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[ts(export)]
pub enum ParticipantRequest {
    /// Which workshop a session code opens, and its units to pick one's own from.
    Lookup {
        code: String,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// Joins the workshop; the reply is a [`ParticipantReply::Welcome`] with the token.
    Join {
        code: String,
        /// `None` or empty: anonymous.
        #[serde(default)]
        name: Option<String>,
        unit: String,
        #[serde(default)]
        manager: bool,
        /// The phone's own id for this join (8–64 of `A-Za-z0-9-_`): re-sent after a
        /// lost reply, the join finds the participant it made (with a new token).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        client: Option<String>,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// Picks up where the phone was: who the token's holder is, open rounds, stored answers.
    Resume {
        token: String,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// A prediction for the game round being played (while it is in its prediction phase).
    Predict {
        token: String,
        submission: String,
        round: crate::game::GameRoundId,
        prediction: crate::game::Prediction,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// A need at the Engagement Cycle stage on screen; the participant's unit is its customer.
    ProposeNeed {
        token: String,
        submission: String,
        stage: crate::cycle::StageId,
        need: crate::cycle::NeedDraft,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// A vote for a proposed need (`vote: false` takes it back).
    VoteNeed {
        token: String,
        submission: String,
        proposal: u32,
        vote: bool,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// An answer; `submission` is the phone's id for it (a re-send is stored once).
    Submit {
        token: String,
        submission: String,
        answer: Answer,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
}

impl ParticipantRequest {
    pub fn reference(&self) -> Option<&str> {
        match self {
            ParticipantRequest::Lookup { reference, .. }
            | ParticipantRequest::Join { reference, .. }
            | ParticipantRequest::Resume { reference, .. }
            | ParticipantRequest::Submit { reference, .. }
            | ParticipantRequest::Predict { reference, .. }
            | ParticipantRequest::ProposeNeed { reference, .. }
            | ParticipantRequest::VoteNeed { reference, .. } => reference.as_deref(),
        }
    }
}

/// A unit as a phone shows it in a picker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnitChoice {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
}

/// The units of a map a participant can pick (external segments too: they can be
/// customers, but nobody belongs to one — the page leaves them out of "my unit").
pub fn unit_choices(map: &OrgMap) -> Vec<UnitChoice> {
    map.units.iter().map(|u| UnitChoice { id: u.id.clone(), name: u.name.clone(), kind: u.kind }).collect()
}

/// What the server says to a phone: a reply to a request, or news it pushes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ParticipantReply {
    /// The reply to `lookup`.
    Room {
        workshop: String,
        units: Vec<UnitChoice>,
        rounds: RoundStates,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// The reply to `join` (with `token`, which only this reply ever carries) and to
    /// `resume`; pushed again when a round opens, closes or is reset.
    Welcome {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        token: Option<String>,
        workshop: String,
        units: Vec<UnitChoice>,
        me: Box<ParticipantView>,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// The answer is stored (or was stored before, for a re-send).
    Ack {
        receipt: Receipt,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
    /// The map changed: the units to pick from now.
    Units { units: Vec<UnitChoice> },
    /// The request failed; nothing changed. `submission` names the answer refused,
    /// `retry_ms` says when to try again after `rate_limited` or `slow_down`.
    Error {
        code: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        submission: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional, type = "number")]
        retry_ms: Option<u64>,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional, rename = "ref")]
        reference: Option<String>,
    },
}
