//! A large workshop for the export benchmark (`ripple bench-export`): a generated map,
//! participants with the four answers, ratings of received service, managers'
//! answers, thanks, and a Ripple round with everyone's prediction — written straight
//! through the store, as a live session would have stored them.

use crate::engine::{Incident, IncidentKind};
use crate::game::{GamePhase, Prediction};
use crate::generate::{generate, SplitMix64};
use crate::org::UnitKind;
use crate::participants::{Answer, CustomerAnswer, CustomerRef, Need, NeedCategory, Receipt, TwoWay};
use crate::store::{NewParticipant, Store, StoreError, StoredGameRound};
use crate::workshop::WorkshopId;

const NEEDS: &[&str] = &[
    "Payroll right the first time",
    "Answers within a day",
    "=HYPERLINK(\"x\") tested as text",
    "Clear handover notes with the customer's history",
    "Stock counts we can trust",
    "Tell us before the schedule changes",
    "<b>not markup</b>",
];

/// Creates a workshop of `participants` people on a generated map of `units` units.
pub fn build_workshop(store: &mut Store, participants: usize, units: usize, seed: u64) -> Result<WorkshopId, StoreError> {
    let map = generate(units, seed);
    let id = store.create_workshop(&format!("Benchmark: {participants} participants"), &map)?;
    let internal: Vec<&str> = map.units.iter().filter(|u| u.kind != UnitKind::External).map(|u| u.id.as_str()).collect();
    let mut rng = SplitMix64::new(seed);
    let mut people = Vec::with_capacity(participants);
    store.begin_batch()?;
    for i in 0..participants {
        let unit = *rng.pick(&internal);
        let name = format!("Participant {}", i + 1);
        let hash = crate::participants::token_hash(&format!("bench-{seed}-{i}"));
        let p = store.insert_participant(
            id,
            &NewParticipant { token_hash: &hash, name: (i % 3 != 0).then_some(name.as_str()), unit, manager: i % 10 == 0, client_hash: None, joined_at: i as i64 },
        )?;
        people.push((p, unit));
        let mut answers = Vec::new();
        let customers = (0..3)
            .map(|k| CustomerAnswer {
                customer: if k == 2 && i % 7 == 0 { CustomerRef::Proposed("Night shift".into()) } else { CustomerRef::Unit(internal[(i + k * 13) % internal.len()].to_owned()) },
                needs: (0..=rng.below(2))
                    .map(|_| Need { text: (*rng.pick(NEEDS)).to_owned(), category: *rng.pick(&NeedCategory::ALL) })
                    .collect(),
                two_way: *rng.pick(&[TwoWay::Yes, TwoWay::Sometimes, TwoWay::No]),
                rating: 1 + rng.below(10) as u8,
            })
            .filter(|c| c.customer != CustomerRef::Unit(unit.to_owned()))
            .collect();
        answers.push(Answer::Customers { customers });
        answers.push(Answer::ReceivedRating { unit: (*rng.pick(&internal)).to_owned(), rating: 1 + rng.below(10) as u8, comment: "Mostly on time".into() });
        if i % 10 == 0 {
            answers.push(Answer::Manager { morale: "Late handovers wear people down.".into(), team: "Agree deadlines both ways.".into() });
        }
        if i % 5 == 0 {
            answers.push(Answer::Thanks { unit: (*rng.pick(&internal)).to_owned(), message: "Thank you for the quick fix!".into() });
        }
        for (k, answer) in answers.iter().enumerate() {
            let receipt = Receipt { submission: format!("bench-{i}-{k}"), participant: p, question: answer.question() };
            store.save_answer(id, answer, &receipt, 1_000 + i as i64)?;
        }
    }
    store.commit_batch()?;
    // One round on the most critical internal unit, predicted by everyone.
    let source = crate::game::suggestions(&map, 1).first().map_or_else(|| internal[0].to_owned(), |c| c.unit.clone());
    let incidents = vec![Incident::new(source, 1.0, IncidentKind::Late)];
    let result = crate::game::ripple(&map, &incidents).map_err(|e| StoreError::Io(e.message))?;
    store.insert_game_round(id, &StoredGameRound { id: 1, incidents, map: map.clone(), result, phase: GamePhase::Debrief, started_at: 5_000, predictions: vec![] })?;
    store.begin_batch()?;
    for (i, (p, _)) in people.iter().enumerate() {
        let units = (0..3).map(|k| internal[(i * 7 + k) % internal.len()].to_owned()).collect::<std::collections::BTreeSet<_>>();
        let prediction = Prediction { units: units.into_iter().collect(), customers: i % 2 == 0 };
        let receipt = Receipt { submission: format!("bench-pred-{i}"), participant: *p, question: "prediction:1".into() };
        store.save_prediction(id, 1, &prediction, &receipt, 6_000 + i as i64)?;
    }
    store.commit_batch()?;
    Ok(id)
}
