//! The live results of the room, worked out from the answers as they stand (pure
//! functions; the projector shows them once the trainer reveals).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use ts_rs::TS;

use super::{Answer, CustomerRef, NeedCategory, Participant, ParticipantId, TwoWay};
use crate::org::OrgMap;

/// How many words of each category the word cloud gets.
pub const WORDS_PER_CATEGORY: usize = 40;

/// Words left out of the word cloud.
const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could", "do", "does",
    "for", "from", "get", "has", "have", "i", "if", "in", "into", "is", "it", "its", "me", "more", "my", "need", "needs", "no",
    "not", "of", "on", "or", "our", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "to", "us", "very", "was", "we", "what", "when", "which", "who", "will", "with", "would", "you", "your",
];

/// The ratings of question 4 (providers rating their own service), 1–10.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RatingDistribution {
    /// `counts[0]` is how many gave 1, … `counts[9]` how many gave 10.
    pub counts: Vec<u32>,
    pub total: u32,
    pub average: Option<f64>,
}

/// Two-way communication over every (participant, customer) link named.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TwoWayShare {
    pub yes: u32,
    pub sometimes: u32,
    pub no: u32,
    pub links: u32,
    /// `yes / links`, or `None` before the first link.
    pub share_yes: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WordCount {
    pub word: String,
    pub count: u32,
}

/// The needs of one category, for the word cloud: the most frequent words first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NeedGroup {
    pub category: NeedCategory,
    pub needs: u32,
    pub words: Vec<WordCount>,
}

/// An edge of the room's own who-serves-whom map: participants of `provider` named
/// `customer` as an internal customer `count` times, rating their service `average`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RoomEdge {
    pub provider: String,
    pub customer: CustomerRef,
    pub average: f64,
    pub count: u32,
}

/// A unit's rating of its own service against the rating its customers give it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UnitRatings {
    pub unit: String,
    pub self_average: Option<f64>,
    pub self_count: u32,
    pub received_average: Option<f64>,
    pub received_count: u32,
}

/// A typed customer that is not (yet) a unit, with how often it was named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProposedUnit {
    pub name: String,
    pub mentions: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ThanksNote {
    pub unit: String,
    pub message: String,
}

/// Everything the projector shows of the room's answers.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LiveResults {
    pub attendees: u32,
    pub ratings: RatingDistribution,
    pub two_way: TwoWayShare,
    /// Always the three categories, in the order quality, time, delivery.
    pub needs: Vec<NeedGroup>,
    /// Sorted by provider, then customer.
    pub edges: Vec<RoomEdge>,
    /// Units with a self-rating or a received rating, sorted by id.
    pub units: Vec<UnitRatings>,
    /// Most named first, then by name.
    pub proposed: Vec<ProposedUnit>,
    /// In the order of participants, then unit.
    pub thanks: Vec<ThanksNote>,
}

#[derive(Debug, Clone, Default)]
struct Mean {
    sum: i64,
    count: i64,
}

impl Mean {
    fn add(&mut self, value: u8, sign: i64) {
        self.sum += sign * i64::from(value);
        self.count += sign;
    }

    fn count(&self) -> u32 {
        self.count.max(0) as u32
    }

    fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64)
    }
}

/// The words of a need for the word cloud: lowercased, split at anything that is not
/// a letter, digit or apostrophe; stop words, single characters and numbers left out.
pub fn cloud_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’').to_lowercase())
        .filter(|w| w.chars().count() > 1 && !w.chars().all(|c| c.is_numeric()) && !STOP_WORDS.contains(&w.as_str()))
}

/// The room's results kept up to date answer by answer: [`add`](Tally::add) an answer
/// when it is stored, [`remove`](Tally::remove) the one it replaces or a reset deletes.
/// [`results`](Tally::results) costs the size of the results, not of all answers.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    attendees: u32,
    counts: [i64; 10],
    all: Mean,
    two_way: [i64; 3],
    needs: BTreeMap<NeedCategory, (i64, HashMap<String, i64>)>,
    edges: BTreeMap<(String, CustomerRef), Mean>,
    self_rating: BTreeMap<String, Mean>,
    received: BTreeMap<String, Mean>,
    /// Folded name → the spelling each participant used.
    proposed: BTreeMap<String, BTreeMap<ParticipantId, String>>,
    thanks: BTreeMap<(ParticipantId, String), ThanksNote>,
}

impl Tally {
    pub fn set_attendees(&mut self, attendees: u32) {
        self.attendees = attendees;
    }

    /// Counts `answer`, given by participant `participant` of unit `unit`.
    pub fn add(&mut self, participant: ParticipantId, unit: &str, answer: &Answer) {
        self.apply(participant, unit, answer, 1);
    }

    /// Takes back what [`add`](Tally::add) counted for the same answer.
    pub fn remove(&mut self, participant: ParticipantId, unit: &str, answer: &Answer) {
        self.apply(participant, unit, answer, -1);
    }

    fn apply(&mut self, participant: ParticipantId, unit: &str, answer: &Answer, sign: i64) {
        match answer {
            Answer::Customers { customers } => {
                for c in customers {
                    self.counts[usize::from(c.rating.clamp(1, 10)) - 1] += sign;
                    self.all.add(c.rating, sign);
                    self.two_way[match c.two_way {
                        TwoWay::Yes => 0,
                        TwoWay::Sometimes => 1,
                        TwoWay::No => 2,
                    }] += sign;
                    for need in &c.needs {
                        let (n, words) = self.needs.entry(need.category).or_default();
                        *n += sign;
                        for word in cloud_words(&need.text) {
                            *words.entry(word).or_default() += sign;
                        }
                    }
                    let edge = self.edges.entry((unit.to_owned(), c.customer.clone())).or_default();
                    edge.add(c.rating, sign);
                    if edge.count <= 0 {
                        self.edges.remove(&(unit.to_owned(), c.customer.clone()));
                    }
                    add_mean(&mut self.self_rating, unit, c.rating, sign);
                    if let CustomerRef::Proposed(name) = &c.customer {
                        let folded = name.to_lowercase();
                        let spellings = self.proposed.entry(folded.clone()).or_default();
                        if sign > 0 {
                            spellings.insert(participant, name.clone());
                        } else {
                            spellings.remove(&participant);
                            if spellings.is_empty() {
                                self.proposed.remove(&folded);
                            }
                        }
                    }
                }
            }
            Answer::ReceivedRating { unit: provider, rating, .. } => add_mean(&mut self.received, provider, *rating, sign),
            Answer::Thanks { unit: to, message } => {
                let key = (participant, answer.question());
                if sign > 0 {
                    self.thanks.insert(key, ThanksNote { unit: to.clone(), message: message.clone() });
                } else {
                    self.thanks.remove(&key);
                }
            }
            Answer::Manager { .. } => {}
        }
    }

    /// The results as they stand.
    pub fn results(&self) -> LiveResults {
        let count = |n: i64| n.max(0) as u32;
        let [yes, sometimes, no] = self.two_way.map(count);
        let links = yes + sometimes + no;
        let mut units: BTreeMap<&str, (Option<&Mean>, Option<&Mean>)> = BTreeMap::new();
        for (unit, mean) in &self.self_rating {
            units.entry(unit).or_default().0 = Some(mean);
        }
        for (unit, mean) in &self.received {
            units.entry(unit).or_default().1 = Some(mean);
        }
        // The spelling of the first participant to name it; most named first, then by folded name.
        let mut proposed: Vec<(&String, ProposedUnit)> = self
            .proposed
            .iter()
            .filter_map(|(folded, spellings)| {
                let first = spellings.values().next()?;
                Some((folded, ProposedUnit { name: first.clone(), mentions: spellings.len() as u32 }))
            })
            .collect();
        proposed.sort_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then_with(|| a.0.cmp(b.0)));
        LiveResults {
            attendees: self.attendees,
            ratings: RatingDistribution {
                counts: self.counts.map(count).to_vec(),
                total: self.all.count(),
                average: self.all.average(),
            },
            two_way: TwoWayShare { yes, sometimes, no, links, share_yes: (links > 0).then(|| f64::from(yes) / f64::from(links)) },
            needs: NeedCategory::ALL
                .into_iter()
                .map(|category| {
                    let (n, words) = self.needs.get(&category).map_or((0, None), |(n, w)| (*n, Some(w)));
                    let mut words: Vec<WordCount> = words
                        .into_iter()
                        .flatten()
                        .filter(|(_, c)| **c > 0)
                        .map(|(word, c)| WordCount { word: word.clone(), count: count(*c) })
                        .collect();
                    words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
                    words.truncate(WORDS_PER_CATEGORY);
                    NeedGroup { category, needs: count(n), words }
                })
                .collect(),
            edges: self
                .edges
                .iter()
                .filter(|(_, m)| m.count > 0)
                .map(|((provider, customer), mean)| RoomEdge {
                    provider: provider.clone(),
                    customer: customer.clone(),
                    average: mean.average().unwrap_or_default(),
                    count: mean.count(),
                })
                .collect(),
            units: units
                .into_iter()
                .filter(|(_, (own, got))| own.is_some_and(|m| m.count > 0) || got.is_some_and(|m| m.count > 0))
                .map(|(unit, (own, got))| UnitRatings {
                    unit: unit.to_owned(),
                    self_average: own.and_then(Mean::average),
                    self_count: own.map_or(0, Mean::count),
                    received_average: got.and_then(Mean::average),
                    received_count: got.map_or(0, Mean::count),
                })
                .collect(),
            proposed: proposed.into_iter().map(|(_, p)| p).collect(),
            thanks: self.thanks.values().cloned().collect(),
        }
    }
}

fn add_mean(means: &mut BTreeMap<String, Mean>, unit: &str, rating: u8, sign: i64) {
    let mean = means.entry(unit.to_owned()).or_default();
    mean.add(rating, sign);
    if mean.count <= 0 {
        means.remove(unit);
    }
}

/// The room's results from everyone's current answers, at once. Answers of
/// participants not in `participants` are left out. `_map` is for later (accepted units).
pub fn live_results<'a>(
    _map: &OrgMap,
    participants: &[Participant],
    answers: impl IntoIterator<Item = (ParticipantId, &'a Answer)>,
) -> LiveResults {
    let unit_of: HashMap<ParticipantId, &str> = participants.iter().map(|p| (p.id, p.unit.as_str())).collect();
    let mut tally = Tally::default();
    tally.set_attendees(participants.len() as u32);
    for (participant, answer) in answers {
        if let Some(unit) = unit_of.get(&participant) {
            tally.add(participant, unit, answer);
        }
    }
    tally.results()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_words_are_lowercased_without_stop_words_numbers_or_single_letters() {
        let words: Vec<String> = cloud_words("The Payroll, on TIME — and 2 x reports; payroll's fine").collect();
        assert_eq!(words, ["payroll", "time", "reports", "payroll's", "fine"]);
    }
}
