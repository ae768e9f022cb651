//! Participants of a live workshop and their self-assessment (DESIGN.md,
//! "Self-assessment", "Security model").
//!
//! A participant joins with the workshop's short session code, a name (or none:
//! anonymous) and the unit they belong to, and gets a random token; only its hash is
//! stored. Every answer then carries the token and a client-generated submission id:
//! a re-sent submission is stored once, a newer answer to the same question replaces
//! the older one while its round is open. Free text is kept as text (control
//! characters stripped, length limited); escaping it is the renderer's job.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::ApiError;
use crate::org::OrgMap;

pub mod results;
pub use results::{
    cloud_words, live_results, LiveResults, NeedGroup, ProposedUnit, RatingDistribution, RoomEdge, Tally, ThanksNote, TwoWayShare,
    UnitRatings, WordCount,
};

/// A participant's id: unique in the database, never reused.
pub type ParticipantId = u32;

/// The session code's characters: no 0/O or 1/I look-alikes (32 of them, so a random
/// byte maps onto them without bias).
pub const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// How many characters a session code has.
pub const CODE_LEN: usize = 6;
/// A participant's display name, a proposed unit's name.
pub const NAME_MAX: usize = 60;
/// One need, a thanks message, a comment on a received service.
pub const TEXT_MAX: usize = 280;
/// Each of the managers' two answers.
pub const LONG_TEXT_MAX: usize = 1000;
/// Internal customers one participant may name.
pub const CUSTOMERS_MAX: usize = 20;
/// Needs per customer.
pub const NEEDS_MAX: usize = 5;
/// A submission id: `8..=64` characters of letters, digits, `-` and `_` (a UUID fits).
pub const SUBMISSION_ID_MAX: usize = 64;
const SUBMISSION_ID_MIN: usize = 8;

/// A round participants answer in; the trainer opens, closes and resets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Round {
    /// The four questions, the managers' two, and ratings of received service.
    SelfAssessment,
    /// Thank-you notes to units.
    Thanks,
}

impl Round {
    pub const ALL: [Round; 2] = [Round::SelfAssessment, Round::Thanks];

    pub fn as_str(self) -> &'static str {
        match self {
            Round::SelfAssessment => "self_assessment",
            Round::Thanks => "thanks",
        }
    }

    pub fn parse(text: &str) -> Option<Round> {
        Round::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Which rounds are open (a round is closed until the trainer opens it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RoundStates {
    pub self_assessment: bool,
    pub thanks: bool,
}

impl RoundStates {
    pub fn is_open(&self, round: Round) -> bool {
        match round {
            Round::SelfAssessment => self.self_assessment,
            Round::Thanks => self.thanks,
        }
    }

    pub fn set(&mut self, round: Round, open: bool) {
        match round {
            Round::SelfAssessment => self.self_assessment = open,
            Round::Thanks => self.thanks = open,
        }
    }
}

/// The expectation category of a need (DESIGN.md: quality, time, delivery method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NeedCategory {
    Quality,
    Time,
    Delivery,
}

impl NeedCategory {
    pub const ALL: [NeedCategory; 3] = [NeedCategory::Quality, NeedCategory::Time, NeedCategory::Delivery];
}

/// Is there regular two-way communication with this customer?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TwoWay {
    Yes,
    Sometimes,
    No,
}

/// An internal customer: a unit of the map (`{"unit": "finance"}`), or a name typed
/// by the participant (`{"proposed": "Night shift"}`) that the trainer may accept as a unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CustomerRef {
    Unit(String),
    Proposed(String),
}

/// What a customer needs from the participant, in one of the three categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Need {
    pub text: String,
    pub category: NeedCategory,
}

/// Questions 2–4 for one internal customer named in question 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CustomerAnswer {
    pub customer: CustomerRef,
    #[serde(default)]
    pub needs: Vec<Need>,
    pub two_way: TwoWay,
    /// How the customer would rate the participant's service, 1–10.
    pub rating: u8,
}

/// One answer; a newer answer to the same [`question`](Answer::question) replaces the older one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "question", rename_all = "snake_case")]
#[ts(export)]
pub enum Answer {
    /// The four questions: the participant's internal customers, each with needs,
    /// two-way communication and rating.
    Customers { customers: Vec<CustomerAnswer> },
    /// The managers' two questions: how frustration over internal service affects
    /// morale and turnover; what their team must do to provide and receive excellent service.
    Manager { morale: String, team: String },
    /// The service the participant receives from `unit`, rated 1–10.
    ReceivedRating {
        unit: String,
        rating: u8,
        #[serde(default)]
        comment: String,
    },
    /// A short thank-you to a unit that served the participant well.
    Thanks { unit: String, message: String },
}

impl Answer {
    pub fn round(&self) -> Round {
        match self {
            Answer::Thanks { .. } => Round::Thanks,
            _ => Round::SelfAssessment,
        }
    }

    /// The question this answers, as stored: `customers`, `manager`,
    /// `received_rating:UNIT`, `thanks:UNIT`.
    pub fn question(&self) -> String {
        match self {
            Answer::Customers { .. } => "customers".to_owned(),
            Answer::Manager { .. } => "manager".to_owned(),
            Answer::ReceivedRating { unit, .. } => format!("received_rating:{unit}"),
            Answer::Thanks { unit, .. } => format!("thanks:{unit}"),
        }
    }

    /// The answer as it is stored: every rule checked, text cleaned. Errors name the field.
    pub fn validate(self, map: &OrgMap, who: &Participant) -> Result<Answer, ApiError> {
        Ok(match self {
            Answer::Customers { customers } => {
                if customers.len() > CUSTOMERS_MAX {
                    return Err(invalid(format!("customers: at most {CUSTOMERS_MAX} internal customers (got {})", customers.len())));
                }
                let mut seen = Vec::with_capacity(customers.len());
                let mut cleaned = Vec::with_capacity(customers.len());
                for (i, c) in customers.into_iter().enumerate() {
                    let field = format!("customers[{i}]");
                    let customer = customer_ref(map, &format!("{field}.customer"), c.customer)?;
                    let key = match &customer {
                        CustomerRef::Unit(id) => CustomerRef::Unit(id.clone()),
                        CustomerRef::Proposed(name) => CustomerRef::Proposed(name.to_lowercase()),
                    };
                    if seen.contains(&key) {
                        return Err(invalid(format!("{field}.customer: this customer is named twice")));
                    }
                    seen.push(key);
                    if c.needs.len() > NEEDS_MAX {
                        return Err(invalid(format!("{field}.needs: at most {NEEDS_MAX} needs per customer (got {})", c.needs.len())));
                    }
                    let needs = c
                        .needs
                        .into_iter()
                        .enumerate()
                        .map(|(j, n)| {
                            Ok(Need { text: required_text(&format!("{field}.needs[{j}].text"), &n.text, TEXT_MAX, false)?, category: n.category })
                        })
                        .collect::<Result<Vec<_>, ApiError>>()?;
                    rating(&format!("{field}.rating"), c.rating)?;
                    cleaned.push(CustomerAnswer { customer, needs, two_way: c.two_way, rating: c.rating });
                }
                Answer::Customers { customers: cleaned }
            }
            Answer::Manager { morale, team } => {
                if !who.manager {
                    return Err(ApiError::new("not_a_manager", "only participants who joined as managers answer the managers' questions"));
                }
                Answer::Manager {
                    morale: clean_text("morale", &morale, LONG_TEXT_MAX, true)?,
                    team: clean_text("team", &team, LONG_TEXT_MAX, true)?,
                }
            }
            Answer::ReceivedRating { unit, rating: r, comment } => {
                known_unit(map, "unit", &unit)?;
                rating("rating", r)?;
                Answer::ReceivedRating { unit, rating: r, comment: clean_text("comment", &comment, TEXT_MAX, false)? }
            }
            Answer::Thanks { unit, message } => {
                known_unit(map, "unit", &unit)?;
                Answer::Thanks { message: required_text("message", &message, TEXT_MAX, false)?, unit }
            }
        })
    }
}

/// A participant as the room sees them (never with the token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Participant {
    pub id: ParticipantId,
    /// `None`: joined anonymously.
    pub name: Option<String>,
    /// The unit of the map they belong to.
    pub unit: String,
    /// Managers also answer the managers' questions.
    pub manager: bool,
}

/// The acknowledgement of a stored answer; a re-sent submission gets the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Receipt {
    /// The client-generated submission id.
    pub submission: String,
    pub participant: ParticipantId,
    /// What [`Answer::question`] says.
    pub question: String,
}

fn invalid(message: String) -> ApiError {
    ApiError::new("invalid_input", message)
}

fn rating(field: &str, value: u8) -> Result<(), ApiError> {
    if (1..=10).contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!("{field}: a rating is from 1 to 10 (got {value})")))
    }
}

/// `Ok` if `id` is a unit of the map; the error names the field.
pub fn known_unit(map: &OrgMap, field: &str, id: &str) -> Result<(), ApiError> {
    if map.unit(id).is_some() {
        Ok(())
    } else {
        let shown: String = id.chars().take(NAME_MAX).collect();
        Err(ApiError::new("unknown_unit", format!("{field}: there is no unit '{shown}' in the map")))
    }
}

/// A typed name that is a unit's name or id after all becomes that unit.
fn customer_ref(map: &OrgMap, field: &str, customer: CustomerRef) -> Result<CustomerRef, ApiError> {
    match customer {
        CustomerRef::Unit(id) => {
            known_unit(map, field, &id)?;
            Ok(CustomerRef::Unit(id))
        }
        CustomerRef::Proposed(name) => {
            let name = required_text(field, &name, NAME_MAX, false)?;
            let folded = name.to_lowercase();
            Ok(match map.units.iter().find(|u| u.id.to_lowercase() == folded || u.name.to_lowercase() == folded) {
                Some(unit) => CustomerRef::Unit(unit.id.clone()),
                None => CustomerRef::Proposed(name),
            })
        }
    }
}

/// Text as stored: control characters removed (newlines kept only if `newlines`),
/// runs of spaces left alone, trimmed, at most `max` characters. Markup stays as it is.
pub fn clean_text(field: &str, text: &str, max: usize, newlines: bool) -> Result<String, ApiError> {
    let cleaned: String = text
        .chars()
        .map(|c| if c == '\t' || (c == '\n' || c == '\r') && !newlines { ' ' } else { c })
        .filter(|c| !c.is_control() || newlines && *c == '\n')
        .collect();
    let cleaned = cleaned.trim();
    let length = cleaned.chars().count();
    if length > max {
        return Err(invalid(format!("{field}: at most {max} characters (got {length})")));
    }
    Ok(cleaned.to_owned())
}

pub fn required_text(field: &str, text: &str, max: usize, newlines: bool) -> Result<String, ApiError> {
    let cleaned = clean_text(field, text, max, newlines)?;
    if cleaned.is_empty() {
        return Err(invalid(format!("{field}: must not be empty")));
    }
    Ok(cleaned)
}

/// A joining participant's name (`None`: anonymous) and unit, checked against the map.
pub fn validate_join(map: &OrgMap, name: Option<&str>, unit: &str) -> Result<(Option<String>, String), ApiError> {
    let name = match name {
        Some(name) => Some(clean_text("name", name, NAME_MAX, false)?).filter(|n| !n.is_empty()),
        None => None,
    };
    known_unit(map, "unit", unit)?;
    Ok((name, unit.to_owned()))
}

/// `Ok` if `id` looks like a client-generated submission id (a UUID, or similar).
pub fn validate_submission_id(id: &str) -> Result<(), ApiError> {
    validate_phone_id("submission", id)
}

/// `Ok` if `id` looks like the id a phone gives its join request.
pub fn validate_client_id(id: &str) -> Result<(), ApiError> {
    validate_phone_id("client", id)
}

fn validate_phone_id(field: &str, id: &str) -> Result<(), ApiError> {
    let ok = (SUBMISSION_ID_MIN..=SUBMISSION_ID_MAX).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "{field}: an id of {SUBMISSION_ID_MIN} to {SUBMISSION_ID_MAX} letters, digits, '-' or '_' (a UUID) is expected"
        )))
    }
}

/// Parses a participant's request body; a malformed one is `bad_request` naming what is wrong.
pub fn parse<T: DeserializeOwned>(json: &str) -> Result<T, ApiError> {
    serde_json::from_str(json).map_err(|e| ApiError::new("bad_request", format!("the request is not understood: {e}")))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::new("internal", format!("the system's random source failed: {e}")))?;
    Ok(bytes)
}

/// A fresh session code: [`CODE_LEN`] characters of [`CODE_ALPHABET`], from the OS's RNG.
pub fn new_code() -> Result<String, ApiError> {
    Ok(random_bytes::<CODE_LEN>()?.iter().map(|b| CODE_ALPHABET[(*b % 32) as usize] as char).collect())
}

/// A code as typed: case and spaces or dashes do not matter.
pub fn normalize_code(typed: &str) -> String {
    typed.chars().filter(|c| !c.is_whitespace() && *c != '-').take(2 * CODE_LEN).collect::<String>().to_uppercase()
}

/// A fresh participant token: 256 bits from the OS's RNG, as 64 hex digits.
pub fn new_token() -> Result<String, ApiError> {
    Ok(hex(&random_bytes::<32>()?))
}

/// What is stored of a token: its SHA-256, in hex. A stolen database file lets no one
/// act as a participant.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_has_six_unambiguous_characters_and_codes_differ() {
        let a = new_code().unwrap();
        assert_eq!(a.len(), CODE_LEN);
        assert!(a.chars().all(|c| CODE_ALPHABET.contains(&(c as u8)) && !"0O1I".contains(c)), "{a}");
        let codes: std::collections::HashSet<String> = (0..20).map(|_| new_code().unwrap()).collect();
        assert!(codes.len() >= 19, "{codes:?}");
    }

    #[test]
    fn a_token_is_256_random_bits_and_only_its_hash_is_kept() {
        let t = new_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token().unwrap());
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), t);
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_typed_code_ignores_case_spaces_and_dashes() {
        assert_eq!(normalize_code(" ab3-d ef "), "AB3DEF");
    }

    #[test]
    fn control_characters_are_stripped_and_markup_is_kept() {
        assert_eq!(clean_text("x", " a\u{0}b\tc\u{7f}\n<b>", 280, false).unwrap(), "ab c <b>");
        assert_eq!(clean_text("x", "one\ntwo\r\n", 280, true).unwrap(), "one\ntwo");
        assert_eq!(clean_text("x", &"é".repeat(60), 60, false).unwrap().chars().count(), 60, "characters, not bytes");
        assert_eq!(clean_text("name", &"a".repeat(61), 60, false).unwrap_err().message, "name: at most 60 characters (got 61)");
    }

    #[test]
    fn a_submission_id_must_look_like_a_uuid() {
        validate_submission_id("3f2b8c1e-5d4a-4e7b-9c0d-1a2b3c4d5e6f").unwrap();
        for bad in ["", "short", "has space in it", "ünïcode-id-xx", &"a".repeat(65)] {
            assert_eq!(validate_submission_id(bad).unwrap_err().code, "invalid_input", "{bad}");
        }
    }
}
