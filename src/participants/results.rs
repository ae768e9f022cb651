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

#[derive(Default)]
struct Mean {
    sum: u32,
    count: u32,
}

impl Mean {
    fn add(&mut self, value: u8) {
        self.sum += u32::from(value);
        self.count += 1;
    }

    fn average(&self) -> Option<f64> {
        (self.count > 0).then(|| f64::from(self.sum) / f64::from(self.count))
    }
}

/// The words of a need for the word cloud: lowercased, split at anything that is not
/// a letter, digit or apostrophe; stop words, single characters and numbers left out.
pub fn cloud_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’').to_lowercase())
        .filter(|w| w.chars().count() > 1 && !w.chars().all(|c| c.is_numeric()) && !STOP_WORDS.contains(&w.as_str()))
}

/// The room's results from everyone's current answers. Answers of participants not
/// in `participants` are ignored. `_map` is for the future (accepted units).
pub fn live_results<'a>(
    _map: &OrgMap,
    participants: &[Participant],
    answers: impl IntoIterator<Item = (ParticipantId, &'a Answer)>,
) -> LiveResults {
    let unit_of: HashMap<ParticipantId, &str> = participants.iter().map(|p| (p.id, p.unit.as_str())).collect();
    let mut counts = vec![0u32; 10];
    let mut all = Mean::default();
    let (mut yes, mut sometimes, mut no) = (0, 0, 0);
    let mut needs: BTreeMap<NeedCategory, (u32, HashMap<String, u32>)> =
        NeedCategory::ALL.into_iter().map(|c| (c, (0, HashMap::new()))).collect();
    let mut edges: BTreeMap<(String, CustomerRef), Mean> = BTreeMap::new();
    let mut self_rating: BTreeMap<String, Mean> = BTreeMap::new();
    let mut received: BTreeMap<String, Mean> = BTreeMap::new();
    let mut proposed: Vec<(String, String, u32)> = Vec::new(); // (folded, first spelling, mentions)
    let mut thanks = Vec::new();
    let mut answers: Vec<(ParticipantId, &Answer)> = answers.into_iter().collect();
    answers.sort_by_key(|(p, a)| (*p, a.question()));
    for (participant, answer) in answers {
        let Some(unit) = unit_of.get(&participant) else { continue };
        match answer {
            Answer::Customers { customers } => {
                for c in customers {
                    counts[usize::from(c.rating.clamp(1, 10)) - 1] += 1;
                    all.add(c.rating);
                    match c.two_way {
                        TwoWay::Yes => yes += 1,
                        TwoWay::Sometimes => sometimes += 1,
                        TwoWay::No => no += 1,
                    }
                    for need in &c.needs {
                        let (n, words) = needs.get_mut(&need.category).expect("every category is present");
                        *n += 1;
                        for word in cloud_words(&need.text) {
                            *words.entry(word).or_default() += 1;
                        }
                    }
                    edges.entry(((*unit).to_owned(), c.customer.clone())).or_default().add(c.rating);
                    self_rating.entry((*unit).to_owned()).or_default().add(c.rating);
                    if let CustomerRef::Proposed(name) = &c.customer {
                        let folded = name.to_lowercase();
                        match proposed.iter_mut().find(|(f, _, _)| *f == folded) {
                            Some((_, _, mentions)) => *mentions += 1,
                            None => proposed.push((folded, name.clone(), 1)),
                        }
                    }
                }
            }
            Answer::ReceivedRating { unit: provider, rating, .. } => received.entry(provider.clone()).or_default().add(*rating),
            Answer::Thanks { unit, message } => thanks.push(ThanksNote { unit: unit.clone(), message: message.clone() }),
            Answer::Manager { .. } => {}
        }
    }
    let links = yes + sometimes + no;
    let mut units: BTreeMap<&str, (Option<&Mean>, Option<&Mean>)> = BTreeMap::new();
    for (unit, mean) in &self_rating {
        units.entry(unit).or_default().0 = Some(mean);
    }
    for (unit, mean) in &received {
        units.entry(unit).or_default().1 = Some(mean);
    }
    proposed.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    LiveResults {
        attendees: participants.len() as u32,
        ratings: RatingDistribution { counts, total: all.count, average: all.average() },
        two_way: TwoWayShare { yes, sometimes, no, links, share_yes: (links > 0).then(|| f64::from(yes) / f64::from(links)) },
        needs: needs
            .into_iter()
            .map(|(category, (n, words))| {
                let mut words: Vec<WordCount> = words.into_iter().map(|(word, count)| WordCount { word, count }).collect();
                words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
                words.truncate(WORDS_PER_CATEGORY);
                NeedGroup { category, needs: n, words }
            })
            .collect(),
        edges: edges
            .into_iter()
            .map(|((provider, customer), mean)| RoomEdge {
                provider,
                customer,
                average: mean.average().unwrap_or_default(),
                count: mean.count,
            })
            .collect(),
        units: units
            .into_iter()
            .map(|(unit, (own, got))| UnitRatings {
                unit: unit.to_owned(),
                self_average: own.and_then(Mean::average),
                self_count: own.map_or(0, |m| m.count),
                received_average: got.and_then(Mean::average),
                received_count: got.map_or(0, |m| m.count),
            })
            .collect(),
        proposed: proposed.into_iter().map(|(_, name, mentions)| ProposedUnit { name, mentions }).collect(),
        thanks,
    }
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
