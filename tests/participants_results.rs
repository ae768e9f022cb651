//! The room's live results, worked out by hand for a small room and compared.

use ripple::org::{OrgMap, Unit, UnitKind};
use ripple::participants::{
    live_results, Answer, CustomerAnswer, CustomerRef, Need, NeedCategory, NeedGroup, Participant, ParticipantId,
    ProposedUnit, RatingDistribution, RoomEdge, ThanksNote, TwoWay, TwoWayShare, UnitRatings, WordCount,
};

fn map() -> OrgMap {
    let unit = |id: &str| Unit { id: id.into(), name: id.to_uppercase(), kind: UnitKind::Support, weight: 1.0 };
    OrgMap::new("room", vec![unit("a"), unit("b"), unit("c")], vec![])
}

fn person(id: ParticipantId, unit: &str) -> Participant {
    Participant { id, name: None, unit: unit.into(), manager: false }
}

fn to(customer: CustomerRef, rating: u8, two_way: TwoWay, needs: &[(&str, NeedCategory)]) -> CustomerAnswer {
    CustomerAnswer {
        customer,
        needs: needs.iter().map(|(text, category)| Need { text: (*text).into(), category: *category }).collect(),
        two_way,
        rating,
    }
}

fn unit(id: &str) -> CustomerRef {
    CustomerRef::Unit(id.into())
}

fn words(list: &[(&str, u32)]) -> Vec<WordCount> {
    list.iter().map(|(word, count)| WordCount { word: (*word).into(), count: *count }).collect()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn an_empty_room_has_no_averages_and_three_empty_need_groups() {
    let r = live_results(&map(), &[], std::iter::empty());
    assert_eq!(r.attendees, 0);
    assert_eq!(r.ratings, RatingDistribution { counts: vec![0; 10], total: 0, average: None });
    assert_eq!(r.two_way, TwoWayShare { yes: 0, sometimes: 0, no: 0, links: 0, share_yes: None });
    let categories: Vec<NeedCategory> = r.needs.iter().map(|g| g.category).collect();
    assert_eq!(categories, [NeedCategory::Quality, NeedCategory::Time, NeedCategory::Delivery]);
    assert!(r.needs.iter().all(|g| g.needs == 0 && g.words.is_empty()));
    assert!(r.edges.is_empty() && r.units.is_empty() && r.proposed.is_empty() && r.thanks.is_empty());
}

/// Three people: 1 and 2 from unit a, 3 from unit b. Every expected number below is
/// worked out by hand from these answers.
#[test]
fn a_small_room_gives_the_hand_checked_results() {
    use NeedCategory::*;
    use TwoWay::*;
    let people = [person(1, "a"), person(2, "a"), person(3, "b")];
    let answers = [
        (
            1,
            Answer::Customers {
                customers: vec![
                    to(unit("b"), 8, Yes, &[("Accurate reports on time", Time)]),
                    to(unit("c"), 6, Sometimes, &[("Clear reports", Quality)]),
                ],
            },
        ),
        (1, Answer::ReceivedRating { unit: "b".into(), rating: 9, comment: String::new() }),
        (1, Answer::Manager { morale: "low".into(), team: "talk".into() }),
        (
            2,
            Answer::Customers {
                customers: vec![
                    to(unit("b"), 4, No, &[("reports, REPORTS and forms", Quality)]),
                    to(CustomerRef::Proposed("Night shift".into()), 10, Yes, &[]),
                ],
            },
        ),
        (
            3,
            Answer::Customers {
                customers: vec![
                    to(unit("a"), 7, Yes, &[("email updates", Delivery)]),
                    to(CustomerRef::Proposed("night shift".into()), 5, No, &[]),
                ],
            },
        ),
        (3, Answer::ReceivedRating { unit: "a".into(), rating: 3, comment: "slow".into() }),
        (3, Answer::Thanks { unit: "a".into(), message: "Thanks!".into() }),
    ];
    let r = live_results(&map(), &people, answers.iter().map(|(p, a)| (*p, a)));

    assert_eq!(r.attendees, 3);
    // Ratings 8, 6, 4, 10, 7, 5: one each of 4, 5, 6, 7, 8, 10; 40 / 6.
    assert_eq!(r.ratings.counts, [0, 0, 0, 1, 1, 1, 1, 1, 0, 1]);
    assert_eq!(r.ratings.total, 6);
    assert!(close(r.ratings.average, 40.0 / 6.0), "{:?}", r.ratings.average);
    // Yes: 1→b, 2→night shift, 3→a; sometimes: 1→c; no: 2→b, 3→night shift.
    assert_eq!(r.two_way, TwoWayShare { yes: 3, sometimes: 1, no: 2, links: 6, share_yes: Some(0.5) });
    assert_eq!(
        r.needs,
        [
            NeedGroup { category: Quality, needs: 2, words: words(&[("reports", 3), ("clear", 1), ("forms", 1)]) },
            NeedGroup { category: Time, needs: 1, words: words(&[("accurate", 1), ("reports", 1), ("time", 1)]) },
            NeedGroup { category: Delivery, needs: 1, words: words(&[("email", 1), ("updates", 1)]) },
        ]
    );
    let edge = |provider: &str, customer: CustomerRef, average: f64, count: u32| RoomEdge {
        provider: provider.into(),
        customer,
        average,
        count,
    };
    assert_eq!(
        r.edges,
        [
            edge("a", unit("b"), 6.0, 2),
            edge("a", unit("c"), 6.0, 1),
            edge("a", CustomerRef::Proposed("Night shift".into()), 10.0, 1),
            edge("b", unit("a"), 7.0, 1),
            edge("b", CustomerRef::Proposed("night shift".into()), 5.0, 1),
        ]
    );
    // a rates itself (8 + 6 + 4 + 10) / 4 = 7 and gets 3 from b; b rates itself (7 + 5) / 2 = 6 and gets 9.
    assert_eq!(
        r.units,
        [
            UnitRatings { unit: "a".into(), self_average: Some(7.0), self_count: 4, received_average: Some(3.0), received_count: 1 },
            UnitRatings { unit: "b".into(), self_average: Some(6.0), self_count: 2, received_average: Some(9.0), received_count: 1 },
        ]
    );
    assert_eq!(r.proposed, [ProposedUnit { name: "Night shift".into(), mentions: 2 }], "named twice, in two spellings");
    assert_eq!(r.thanks, [ThanksNote { unit: "a".into(), message: "Thanks!".into() }]);
}

#[test]
fn answers_of_someone_not_in_the_room_are_left_out() {
    let answer = Answer::ReceivedRating { unit: "a".into(), rating: 2, comment: String::new() };
    let r = live_results(&map(), &[person(1, "b")], [(9, &answer)]);
    assert_eq!(r.attendees, 1);
    assert!(r.units.is_empty());
}

#[test]
fn the_average_of_ones_and_tens_is_five_and_a_half() {
    let answer = Answer::Customers {
        customers: vec![to(unit("b"), 1, TwoWay::No, &[]), to(unit("c"), 10, TwoWay::No, &[])],
    };
    let r = live_results(&map(), &[person(1, "a")], [(1, &answer)]);
    assert_eq!(r.ratings.counts, [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(r.ratings.average, Some(5.5));
    assert_eq!(r.two_way.share_yes, Some(0.0));
}

#[test]
fn the_word_cloud_ranks_words_by_count_then_alphabetically_without_stop_words() {
    let answer = Answer::Customers {
        customers: vec![to(
            unit("b"),
            5,
            TwoWay::Yes,
            &[("We need the invoices and the INVOICES", NeedCategory::Quality), ("a b 42 zebra apple", NeedCategory::Quality)],
        )],
    };
    let r = live_results(&map(), &[person(1, "a")], [(1, &answer)]);
    assert_eq!(r.needs[0].needs, 2);
    assert_eq!(r.needs[0].words, words(&[("invoices", 2), ("apple", 1), ("zebra", 1)]));
}

mod incremental {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use ripple::participants::Tally;

    const TEXTS: [&str; 4] = ["Reports on time", "clear REPORTS", "the budget", "Payslips, payslips"];

    fn customer() -> impl Strategy<Value = CustomerAnswer> {
        let target = prop_oneof![
            prop::sample::select(vec!["a", "b", "c"]).prop_map(|u| CustomerRef::Unit(u.into())),
            prop::sample::select(vec!["Night shift", "night SHIFT", "Cleaners"]).prop_map(|n| CustomerRef::Proposed(n.into())),
        ];
        let need = (prop::sample::select(TEXTS.to_vec()), prop::sample::select(NeedCategory::ALL.to_vec()))
            .prop_map(|(text, category)| Need { text: text.into(), category });
        let two_way = prop::sample::select(vec![TwoWay::Yes, TwoWay::Sometimes, TwoWay::No]);
        (target, prop::collection::vec(need, 0..3), two_way, 1u8..=10)
            .prop_map(|(customer, needs, two_way, rating)| CustomerAnswer { customer, needs, two_way, rating })
    }

    fn answer() -> impl Strategy<Value = Answer> {
        let unit = || prop::sample::select(vec!["a", "b", "c"]).prop_map(String::from);
        prop_oneof![
            prop::collection::vec(customer(), 0..4).prop_map(|mut customers| {
                // As validation leaves them: each customer once (proposed names folded).
                let mut seen = Vec::new();
                customers.retain(|c| {
                    let key = match &c.customer {
                        CustomerRef::Proposed(n) => CustomerRef::Proposed(n.to_lowercase()),
                        other => other.clone(),
                    };
                    let fresh = !seen.contains(&key);
                    seen.push(key);
                    fresh
                });
                Answer::Customers { customers }
            }),
            (unit(), 1u8..=10).prop_map(|(unit, rating)| Answer::ReceivedRating { unit, rating, comment: String::new() }),
            (unit(), prop::sample::select(TEXTS.to_vec())).prop_map(|(unit, m)| Answer::Thanks { unit, message: m.into() }),
        ]
    }

    proptest! {
        /// Answers stored, replaced and reset one by one give the results of the final answers at once.
        #[test]
        fn the_tally_kept_answer_by_answer_equals_the_results_worked_out_at_once(
            ops in prop::collection::vec((1u32..=4, prop::option::weighted(0.85, answer()), any::<prop::sample::Index>()), 0..40)
        ) {
            let people: Vec<Participant> = (1..=4).map(|id| person(id, ["a", "b", "c", "a"][id as usize - 1])).collect();
            let mut current: BTreeMap<(ParticipantId, String), Answer> = BTreeMap::new();
            let mut tally = Tally::default();
            tally.set_attendees(people.len() as u32);
            for (participant, answer, pick) in ops {
                let unit = &people[participant as usize - 1].unit;
                match answer {
                    Some(answer) => {
                        if let Some(old) = current.remove(&(participant, answer.question())) {
                            tally.remove(participant, unit, &old);
                        }
                        tally.add(participant, unit, &answer);
                        current.insert((participant, answer.question()), answer);
                    }
                    None if !current.is_empty() => {
                        let key = current.keys().nth(pick.index(current.len())).unwrap().clone();
                        let old = current.remove(&key).unwrap();
                        tally.remove(key.0, &people[key.0 as usize - 1].unit, &old);
                    }
                    None => {}
                }
            }
            let at_once = live_results(&map(), &people, current.iter().map(|((p, _), a)| (*p, a)));
            prop_assert_eq!(tally.results(), at_once);
        }
    }
}
