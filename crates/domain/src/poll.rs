//! Club polls ("choosing the next book", picking a meeting time): the pure
//! rules that check a ballot and count a poll. No IO; storage, the pages and
//! the API build on this.
//!
//! # Using it
//!
//! 1. When a poll is made, [`validate_options`] checks its number of choices
//!    (from [`MIN_OPTIONS`] to [`MAX_OPTIONS`]).
//! 2. Every ballot a member sends, and every one read back from storage,
//!    goes through [`Ballot::new`] with the poll's method and number of
//!    choices. A [`PollError`] says in plain words what is wrong with it.
//! 3. [`count`] turns the ballots into a [`Tally`]: the winner, each
//!    choice's total, every round of a ranked-choice count, and how any tie
//!    was settled.
//! 4. [`tie_break_rule`] is the sentence a result page prints under the
//!    result, so members can see ties are not settled by chance.
//!
//! A poll's choices are numbered by their index, `0..n`, in the poll's
//! fixed order: the order they were added. That order is also the last word
//! on ties, so it must never change once voting starts. Errors keep those
//! indices; their messages count from 1 ("choice 3"), as a member would.
//!
//! # The methods ([`PollMethod`])
//!
//! - **Plurality**: one choice per ballot; a choice's total is its number of
//!   votes.
//! - **Approval**: a ballot is a set of acceptable choices (kept sorted);
//!   a choice's total is the number of ballots that approve it. A date poll
//!   is an approval poll over time slots.
//! - **Ranked choice** (instant runoff): a ballot ranks some or all choices,
//!   best first. Each round, every ballot counts for its highest-ranked
//!   choice still in the running; a ballot that ranks none of them is
//!   *exhausted* and counts for no one. A choice with more than half of the
//!   ballots that are not exhausted wins. Otherwise the choice with fewest
//!   votes is eliminated (exactly one per round, see ties below) and the next
//!   round is counted. A choice left alone wins. A choice's total is its
//!   votes in the last round (0 once eliminated); the rounds hold the rest.
//! - **Borda count**: a ballot ranks some or all choices. In a poll of `n`
//!   choices, the choice at place `k` (counting from 0) earns `n - 1 - k`
//!   points; a choice the ballot leaves unranked earns nothing. So ranking
//!   every choice but one is the same as ranking them all, and a short
//!   ballot gives its favourites the same points a full one would. (This is
//!   what the literature calls the "domination" Borda score for truncated
//!   ballots.) The most points wins.
//!
//! For plurality, approval and Borda the winner is the choice with the
//! highest total. With no ballots at all there is no winner.
//!
//! # Ties
//!
//! Ties are never settled by chance, and the same rule serves every method:
//!
//! - A ranked-choice round that must eliminate one of several choices tied
//!   for fewest votes (including the last two) looks back at the earlier
//!   rounds, most recent first. In each, only the tied choices that had the
//!   fewest votes there stay under consideration; as soon as one is left, it
//!   is eliminated. If earlier rounds do not single one out (or there are
//!   none), the choice added to the poll last among those still tied is
//!   eliminated.
//! - A tie for the highest total (plurality, approval, Borda) is won by the
//!   choice added to the poll first.
//!
//! So in every method, when nothing else separates two choices, the one
//! added earlier is ahead. [`TieBreak`] records each tie and what settled
//! it.
//!
//! # Bounds
//!
//! A poll has at most [`MAX_OPTIONS`] choices, so a ballot is at most that
//! long and checking one stops within `MAX_OPTIONS + 1` entries however
//! long the input. Counting takes time proportional to ballots × choices
//! (a ranked-choice count has at most one round per choice); the number of
//! ballots is bounded by the caller (a club's members).

use serde::Serialize;

use crate::reading::text_enum;

/// The fewest choices a poll may have.
pub const MIN_OPTIONS: usize = 2;

/// The most choices a poll may have: enough for any club's shortlist or
/// calendar, and a bound on a ballot's length and a count's rounds.
pub const MAX_OPTIONS: usize = 50;

text_enum!(
    /// How a poll's ballots are filled in and counted.
    PollMethod {
        Plurality = "plurality" / "Plurality",
        Approval = "approval" / "Approval",
        RankedChoice = "ranked_choice" / "Ranked choice",
        Borda = "borda" / "Borda count",
    }
);

text_enum!(
    /// What a poll chooses: the club's next book, or a meeting time (an
    /// approval poll over times).
    PollKind {
        Book = "book" / "Next book",
        Date = "date" / "Meeting time",
    }
);

text_enum!(
    /// Whether members see the running totals while a poll is open.
    /// Hidden means hidden from everyone, organisers included, until the
    /// poll closes, so nobody can steer the vote by what they see.
    PollResults {
        Live = "live" / "Shown while voting",
        Hidden = "hidden" / "Hidden until the poll closes",
    }
);

impl PollMethod {
    /// Whether a ballot's order means something (ranked choice, Borda).
    pub fn is_ranked(self) -> bool {
        matches!(self, PollMethod::RankedChoice | PollMethod::Borda)
    }
}

/// A poll or a ballot that cannot be used, said so a club member knows what
/// to fix. Choice and place fields are indices from 0; the messages count
/// from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    #[error("A poll needs at least two choices; this one has {given}.")]
    TooFewOptions { given: usize },
    #[error("A poll can have at most {MAX_OPTIONS} choices; this one has {given}.")]
    TooManyOptions { given: usize },
    #[error("The ballot is empty: choose at least one.")]
    EmptyBallot,
    #[error("This poll takes a single choice, and the ballot has {given}: keep just one.")]
    MoreThanOneChoice { given: usize },
    #[error(
        "The ballot names choice {}, but this poll has only {n_options} choices.",
        .option.saturating_add(1)
    )]
    UnknownOption { option: usize, n_options: usize },
    #[error(
        "The ballot ranks the same book twice: choice {} is at place {} and again at place {}.",
        .option + 1, .first_place + 1, .again_place + 1
    )]
    RankedTwice {
        option: usize,
        first_place: usize,
        again_place: usize,
    },
    #[error("The ballot names choice {} twice.", .option + 1)]
    ChosenTwice { option: usize },
    #[error(
        "A ballot was filled in for a different poll (another method or number of choices), so it cannot be counted in this one."
    )]
    BallotDoesNotFit,
}

/// Checks a poll's number of choices.
pub fn validate_options(n_options: usize) -> Result<(), PollError> {
    if n_options < MIN_OPTIONS {
        Err(PollError::TooFewOptions { given: n_options })
    } else if n_options > MAX_OPTIONS {
        Err(PollError::TooManyOptions { given: n_options })
    } else {
        Ok(())
    }
}

/// One member's valid ballot in one poll. It remembers the poll's method
/// and number of choices, so [`count`] refuses it in any other poll.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Ballot {
    method: PollMethod,
    n_options: usize,
    choices: Vec<usize>,
}

impl Ballot {
    /// Checks `raw` (choice indices, best first for a ranked method) as a
    /// ballot of a poll with `n_options` choices counted by `method`.
    /// Ranked ballots may rank only some of the choices. An approval
    /// ballot is a set: its order does not matter and it is kept sorted.
    pub fn new(method: PollMethod, n_options: usize, raw: &[usize]) -> Result<Self, PollError> {
        validate_options(n_options)?;
        if raw.is_empty() {
            return Err(PollError::EmptyBallot);
        }
        if method == PollMethod::Plurality && raw.len() > 1 {
            return Err(PollError::MoreThanOneChoice { given: raw.len() });
        }
        // Every entry either fills a new slot or is an error, so this loop
        // ends within `n_options + 1` entries however long `raw` is.
        let mut place_of: Vec<Option<usize>> = vec![None; n_options];
        for (place, &option) in raw.iter().enumerate() {
            let slot = place_of
                .get_mut(option)
                .ok_or(PollError::UnknownOption { option, n_options })?;
            if let Some(first_place) = *slot {
                return Err(if method.is_ranked() {
                    PollError::RankedTwice {
                        option,
                        first_place,
                        again_place: place,
                    }
                } else {
                    PollError::ChosenTwice { option }
                });
            }
            *slot = Some(place);
        }
        let mut choices = raw.to_vec();
        if method == PollMethod::Approval {
            choices.sort_unstable();
        }
        Ok(Self {
            method,
            n_options,
            choices,
        })
    }

    pub fn method(&self) -> PollMethod {
        self.method
    }

    pub fn n_options(&self) -> usize {
        self.n_options
    }

    /// The choices, best first for a ranked method, ascending for approval.
    /// Never empty.
    pub fn choices(&self) -> &[usize] {
        &self.choices
    }
}

/// The result of a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub method: PollMethod,
    /// How many ballots were counted.
    pub ballots: u64,
    /// The winning choice; `None` only when there were no ballots.
    pub winner: Option<usize>,
    /// Per choice: votes (plurality), approvals, Borda points, or votes in
    /// the last ranked-choice round (0 for a choice eliminated before it).
    pub totals: Vec<u64>,
    /// A tie for the highest total and how it was settled (plurality,
    /// approval, Borda). Ranked-choice ties are in each round's
    /// `tie_break`.
    pub tie_break: Option<TieBreak>,
    /// Ranked choice only: every round, the first at index 0. The last
    /// round is the one that found the winner and eliminates no one.
    pub rounds: Vec<Round>,
}

/// One round of a ranked-choice count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Round {
    /// Per choice: its votes this round, or `None` if it was eliminated in
    /// an earlier round.
    pub votes: Vec<Option<u64>>,
    /// Ballots that rank no choice still in the running.
    pub exhausted: u64,
    /// The choice this round eliminated; `None` in the last round.
    pub eliminated: Option<usize>,
    /// Set when several choices were tied for fewest votes.
    pub tie_break: Option<TieBreak>,
}

/// Choices that were level, and what separated them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TieBreak {
    /// The level choices, ascending (that is, in the order they were added).
    pub tied: Vec<usize>,
    pub by: TieBreakBy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreakBy {
    /// Earlier ranked-choice rounds separated them; `round` is the index
    /// (in [`Tally::rounds`]) of the round that singled out the one
    /// eliminated.
    EarlierRound { round: usize },
    /// Nothing else separated `still_tied` (all of `tied`, unless earlier
    /// rounds ruled some out): the one added first is ahead, so it wins a
    /// tie for first and the one added last is eliminated.
    AddedOrder { still_tied: Vec<usize> },
}

/// The tie rule in plain words, for the result page of a poll counted by
/// `method`. It describes what [`count`] does.
pub fn tie_break_rule(method: PollMethod) -> &'static str {
    match method {
        PollMethod::Plurality => {
            "Ties are never settled by chance: if choices share the most votes, the one added to the poll first wins."
        }
        PollMethod::Approval => {
            "Ties are never settled by chance: if choices share the most approvals, the one added to the poll first wins."
        }
        PollMethod::Borda => {
            "Ties are never settled by chance: if choices share the most points, the one added to the poll first wins."
        }
        PollMethod::RankedChoice => {
            "Ties are never settled by chance. When choices are tied for fewest votes in a round (even the last two), we look back at the earlier rounds, latest first, and eliminate the one that had the fewest votes in the latest round where they differed. If they were level in every earlier round, the choice added to the poll first stays in and the one added last is eliminated."
        }
    }
}

/// Counts `ballots` in a poll of `n_options` choices by `method`. Fails only
/// when the poll's size is out of bounds or a ballot was made for another
/// poll (a different method or number of choices).
pub fn count(method: PollMethod, n_options: usize, ballots: &[Ballot]) -> Result<Tally, PollError> {
    validate_options(n_options)?;
    if ballots
        .iter()
        .any(|b| b.method != method || b.n_options != n_options)
    {
        return Err(PollError::BallotDoesNotFit);
    }
    Ok(match method {
        PollMethod::Plurality | PollMethod::Approval => {
            by_totals(method, n_options, ballots, |_place| 1)
        }
        PollMethod::Borda => by_totals(method, n_options, ballots, |place| {
            (n_options - 1).saturating_sub(place) as u64
        }),
        PollMethod::RankedChoice => instant_runoff(n_options, ballots),
    })
}

/// Plurality, approval and Borda: each ballot gives `points(place)` to the
/// choice at each place; the highest total wins, the earliest added on a
/// tie.
fn by_totals(
    method: PollMethod,
    n_options: usize,
    ballots: &[Ballot],
    points: impl Fn(usize) -> u64,
) -> Tally {
    let mut totals = vec![0u64; n_options];
    for ballot in ballots {
        for (place, &option) in ballot.choices.iter().enumerate() {
            totals[option] += points(place);
        }
    }
    let (winner, tie_break) = if ballots.is_empty() {
        (None, None)
    } else {
        let best = totals.iter().copied().max().unwrap_or(0);
        let tied: Vec<usize> = (0..n_options).filter(|&o| totals[o] == best).collect();
        let winner = tied.first().copied();
        let tie_break = (tied.len() > 1).then(|| TieBreak {
            tied: tied.clone(),
            by: TieBreakBy::AddedOrder { still_tied: tied },
        });
        (winner, tie_break)
    };
    Tally {
        method,
        ballots: ballots.len() as u64,
        winner,
        totals,
        tie_break,
        rounds: Vec::new(),
    }
}

fn instant_runoff(n_options: usize, ballots: &[Ballot]) -> Tally {
    let counted = ballots.len() as u64;
    let mut tally = Tally {
        method: PollMethod::RankedChoice,
        ballots: counted,
        winner: None,
        totals: vec![0; n_options],
        tie_break: None,
        rounds: Vec::new(),
    };
    if ballots.is_empty() {
        return tally;
    }

    let mut running = vec![true; n_options];
    // Each ballot's place of its highest-ranked choice still running; it
    // only moves forward, so transfers cost ballots × choices in all.
    let mut at = vec![0usize; ballots.len()];
    let mut votes = vec![0u64; n_options];
    for ballot in ballots {
        if let Some(&first) = ballot.choices.first() {
            votes[first] += 1;
        }
    }
    let mut exhausted = 0u64;

    loop {
        let left: Vec<usize> = (0..n_options).filter(|&o| running[o]).collect();
        let round_votes: Vec<Option<u64>> = (0..n_options)
            .map(|o| running[o].then_some(votes[o]))
            .collect();
        let active = counted - exhausted;
        let majority = left.iter().copied().find(|&o| votes[o] * 2 > active);
        let alone = match left.as_slice() {
            [only] => Some(*only),
            _ => None,
        };
        if let Some(winner) = majority.or(alone) {
            tally.totals = round_votes.iter().map(|v| v.unwrap_or(0)).collect();
            tally.rounds.push(Round {
                votes: round_votes,
                exhausted,
                eliminated: None,
                tie_break: None,
            });
            tally.winner = Some(winner);
            return tally;
        }

        let fewest = left.iter().map(|&o| votes[o]).min().unwrap_or(0);
        let tied: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&o| votes[o] == fewest)
            .collect();
        let (out, tie_break) = match tied.as_slice() {
            [only] => (*only, None),
            _ => {
                let (out, tie_break) = settle_elimination(tied, &tally.rounds);
                (out, Some(tie_break))
            }
        };
        tally.rounds.push(Round {
            votes: round_votes,
            exhausted,
            eliminated: Some(out),
            tie_break,
        });

        running[out] = false;
        votes[out] = 0;
        for (ballot, at) in ballots.iter().zip(at.iter_mut()) {
            if ballot.choices.get(*at) != Some(&out) {
                continue;
            }
            while ballot.choices.get(*at).is_some_and(|&o| !running[o]) {
                *at += 1;
            }
            match ballot.choices.get(*at) {
                Some(&next) => votes[next] += 1,
                None => exhausted += 1,
            }
        }
    }
}

/// Picks which of `tied` (ascending, at least two) to eliminate, looking
/// back through `earlier` rounds, then at the order added.
fn settle_elimination(tied: Vec<usize>, earlier: &[Round]) -> (usize, TieBreak) {
    let mut still = tied.clone();
    for (index, round) in earlier.iter().enumerate().rev() {
        // Every tied choice is running now, so it was in every earlier round.
        let votes_of = |o: usize| round.votes[o].unwrap_or(0);
        let fewest = still.iter().map(|&o| votes_of(o)).min().unwrap_or(0);
        still.retain(|&o| votes_of(o) == fewest);
        if let [only] = still.as_slice() {
            let out = *only;
            return (
                out,
                TieBreak {
                    tied,
                    by: TieBreakBy::EarlierRound { round: index },
                },
            );
        }
    }
    let out = still.last().copied().unwrap_or(0);
    (
        out,
        TieBreak {
            tied,
            by: TieBreakBy::AddedOrder { still_tied: still },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use PollMethod::*;
    use proptest::prelude::*;

    // Choice names for the worked examples, in the order added.
    const A: usize = 0;
    const B: usize = 1;
    const C: usize = 2;
    const D: usize = 3;
    const E: usize = 4;

    fn ballots(method: PollMethod, n: usize, raw: &[&[usize]]) -> Vec<Ballot> {
        raw.iter()
            .map(|r| Ballot::new(method, n, r).unwrap())
            .collect()
    }

    fn tally(method: PollMethod, n: usize, raw: &[&[usize]]) -> Tally {
        count(method, n, &ballots(method, n, raw)).unwrap()
    }

    /// Ten ballots over A–E, counted by hand:
    ///
    /// | ballots          | round 1 | round 2 | round 3 | round 4 | round 5 |
    /// |------------------|---------|---------|---------|---------|---------|
    /// | A / A>C / A>D    | A 3     | A 3     | A 3     | A 5     | out     |
    /// | B / B>A / B      | B 3     | B 3     | B 4     | B 5     | B 5     |
    /// | C>A / C>A        | C 2     | C 3     | C 3     | out     |         |
    /// | D>B              | D 1     | D 1     | out     |         |         |
    /// | E>C>B            | E 1     | out     |         |         |         |
    /// | exhausted        | 0       | 0       | 0       | 0       | 5       |
    ///
    /// - Round 1: no one has more than 5 of 10. D and E tie for fewest (1)
    ///   and there is no earlier round: E, added last, is eliminated. Its
    ///   ballot goes to C.
    /// - Round 2: D alone has fewest (1) and is eliminated; its ballot goes
    ///   to B.
    /// - Round 3: A and C tie on 3. Round 2 has them level (3, 3), round 1
    ///   does not (A 3, C 2): C is eliminated. C>A, C>A go to A; E>C>B goes
    ///   to B.
    /// - Round 4: the final two tie 5–5, no majority of 10. Round 3 had
    ///   A 3, B 4: A is eliminated. None of A's five ballots ranks B (A,
    ///   A>C, A>D, C>A, C>A), so all five are exhausted.
    /// - Round 5: B has 5 of the 5 ballots still live, a majority: B wins.
    #[test]
    fn ranked_choice_over_five_rounds_with_a_tie_at_each_stage() {
        let t = tally(
            RankedChoice,
            5,
            &[
                &[A],
                &[A, C],
                &[A, D],
                &[B],
                &[B, A],
                &[B],
                &[C, A],
                &[C, A],
                &[D, B],
                &[E, C, B],
            ],
        );
        assert_eq!(t.winner, Some(B));
        assert_eq!(t.ballots, 10);
        assert_eq!(t.rounds.len(), 5);
        let votes: Vec<Vec<Option<u64>>> = t.rounds.iter().map(|r| r.votes.clone()).collect();
        assert_eq!(
            votes,
            vec![
                vec![Some(3), Some(3), Some(2), Some(1), Some(1)],
                vec![Some(3), Some(3), Some(3), Some(1), None],
                vec![Some(3), Some(4), Some(3), None, None],
                vec![Some(5), Some(5), None, None, None],
                vec![None, Some(5), None, None, None],
            ]
        );
        let eliminated: Vec<Option<usize>> = t.rounds.iter().map(|r| r.eliminated).collect();
        assert_eq!(eliminated, vec![Some(E), Some(D), Some(C), Some(A), None]);
        let exhausted: Vec<u64> = t.rounds.iter().map(|r| r.exhausted).collect();
        assert_eq!(exhausted, vec![0, 0, 0, 0, 5]);

        // Round 1: no earlier round, so the order added decides.
        assert_eq!(
            t.rounds[0].tie_break,
            Some(TieBreak {
                tied: vec![D, E],
                by: TieBreakBy::AddedOrder {
                    still_tied: vec![D, E]
                },
            })
        );
        assert_eq!(t.rounds[1].tie_break, None);
        // Round 3: settled by round 1 (index 0), round 2 having them level.
        assert_eq!(
            t.rounds[2].tie_break,
            Some(TieBreak {
                tied: vec![A, C],
                by: TieBreakBy::EarlierRound { round: 0 },
            })
        );
        // The final tie: settled by round 3 (index 2).
        assert_eq!(
            t.rounds[3].tie_break,
            Some(TieBreak {
                tied: vec![A, B],
                by: TieBreakBy::EarlierRound { round: 2 },
            })
        );
        assert_eq!(t.totals, vec![0, 5, 0, 0, 0]);
        assert_eq!(t.tie_break, None);
    }

    /// A>B and B>A: 1–1 in round 1, no earlier round, so B (added later)
    /// is eliminated; round 2: A 2 of 2.
    #[test]
    fn ranked_choice_final_tie_goes_to_the_choice_added_first() {
        let t = tally(RankedChoice, 2, &[&[A, B], &[B, A]]);
        assert_eq!(t.winner, Some(A));
        assert_eq!(t.rounds.len(), 2);
        assert_eq!(t.rounds[0].votes, vec![Some(1), Some(1)]);
        assert_eq!(t.rounds[0].eliminated, Some(B));
        assert_eq!(
            t.rounds[0].tie_break.as_ref().map(|tb| &tb.by),
            Some(&TieBreakBy::AddedOrder {
                still_tied: vec![A, B]
            })
        );
        assert_eq!(t.rounds[1].votes, vec![Some(2), None]);
        assert_eq!(t.totals, vec![2, 0]);
    }

    /// Choices A, X, Y, Z, Q (in that order); 14 ballots, a majority is 8.
    ///
    /// - Round 1: A 5, X 2, Y 2, Z 3, Q 2. X, Y, Q tie on 2 with no earlier
    ///   round: Q (added last) is eliminated. Q>X goes to X, Q>Y to Y.
    /// - Round 2: A 5, X 3, Y 3, Z 3. Round 1 had X 2, Y 2, Z 3, which
    ///   rules Z out of the tie but leaves X and Y level; Y, added after X,
    ///   is eliminated. Y>Z, Y>Z go to Z; Q>Y is exhausted.
    /// - Round 3: A 5, X 3, Z 5: X is eliminated; its three ballots all go
    ///   on to A.
    /// - Round 4: A 8 of 13 live ballots: A wins.
    #[test]
    fn ranked_choice_tie_narrowed_by_an_earlier_round_then_by_order_added() {
        let (x, y, z, q) = (1, 2, 3, 4);
        let t = tally(
            RankedChoice,
            5,
            &[
                &[A],
                &[A],
                &[A],
                &[A],
                &[A],
                &[x, A],
                &[x, A],
                &[y, z],
                &[y, z],
                &[z],
                &[z],
                &[z],
                &[q, x, A],
                &[q, y],
            ],
        );
        assert_eq!(
            t.rounds[0].tie_break,
            Some(TieBreak {
                tied: vec![x, y, q],
                by: TieBreakBy::AddedOrder {
                    still_tied: vec![x, y, q]
                },
            })
        );
        assert_eq!(t.rounds[0].eliminated, Some(q));
        assert_eq!(
            t.rounds[1].votes,
            vec![Some(5), Some(3), Some(3), Some(3), None]
        );
        assert_eq!(
            t.rounds[1].tie_break,
            Some(TieBreak {
                tied: vec![x, y, z],
                by: TieBreakBy::AddedOrder {
                    still_tied: vec![x, y]
                },
            })
        );
        assert_eq!(t.rounds[1].eliminated, Some(y));
        assert_eq!(
            t.rounds[2].votes,
            vec![Some(5), Some(3), None, Some(5), None]
        );
        assert_eq!(t.rounds[2].exhausted, 1);
        assert_eq!(t.rounds[2].eliminated, Some(x));
        assert_eq!(t.rounds[3].votes, vec![Some(8), None, None, Some(5), None]);
        assert_eq!(t.winner, Some(A));
        assert_eq!(t.rounds.len(), 4);
    }

    /// A first-round majority ends the count at once: 3 of 5 for A.
    #[test]
    fn ranked_choice_majority_in_the_first_round() {
        let t = tally(RankedChoice, 3, &[&[A, B], &[A], &[A, C], &[B, C], &[C, B]]);
        assert_eq!(t.winner, Some(A));
        assert_eq!(t.rounds.len(), 1);
        assert_eq!(t.rounds[0].votes, vec![Some(3), Some(1), Some(1)]);
        assert_eq!(t.rounds[0].eliminated, None);
        assert_eq!(t.totals, vec![3, 1, 1]);
    }

    /// Four choices, points 3, 2, 1, 0 by place; unranked earn nothing.
    ///
    /// | ballot  | A | B | C | D |
    /// |---------|---|---|---|---|
    /// | A>B>C>D | 3 | 2 | 1 | 0 |
    /// | B>C     | 0 | 3 | 2 | 0 |
    /// | C>A>B   | 2 | 1 | 3 | 0 |
    /// | D       | 0 | 0 | 0 | 3 |
    /// | B>A     | 2 | 3 | 0 | 0 |
    /// | total   | 7 | 9 | 6 | 3 |
    #[test]
    fn borda_with_partial_rankings() {
        let t = tally(
            Borda,
            4,
            &[&[A, B, C, D], &[B, C], &[C, A, B], &[D], &[B, A]],
        );
        assert_eq!(t.totals, vec![7, 9, 6, 3]);
        assert_eq!(t.winner, Some(B));
        assert_eq!(t.tie_break, None);
        assert!(t.rounds.is_empty());
    }

    /// Ranking all but one is the same ballot as ranking all: A>B>C gives
    /// A 3, B 2, C 1, D 0, as A>B>C>D does; B>C>D gives B 3, C 2, D 1,
    /// A 0, as B>C>D>A does. Totals: A 3, B 5, C 3, D 1.
    #[test]
    fn borda_all_but_one_ranked_counts_as_a_full_ranking() {
        let short = tally(Borda, 4, &[&[A, B, C], &[B, C, D]]);
        let full = tally(Borda, 4, &[&[A, B, C, D], &[B, C, D, A]]);
        assert_eq!(short.totals, full.totals);
        assert_eq!(short.totals, vec![3, 5, 3, 1]);
        assert_eq!(short.winner, Some(B));
    }

    /// Borda tie: A>B and B>A give 1 point each in a two-choice poll; A,
    /// added first, wins.
    #[test]
    fn borda_tie_goes_to_the_choice_added_first() {
        let t = tally(Borda, 2, &[&[B, A], &[A, B]]);
        assert_eq!(t.totals, vec![1, 1]);
        assert_eq!(t.winner, Some(A));
        assert_eq!(
            t.tie_break,
            Some(TieBreak {
                tied: vec![A, B],
                by: TieBreakBy::AddedOrder {
                    still_tied: vec![A, B]
                },
            })
        );
    }

    /// A date poll: three evenings, five members.
    ///
    /// | ballot    | Mon | Tue | Wed |
    /// |-----------|-----|-----|-----|
    /// | Mon, Tue  | 1   | 1   |     |
    /// | Tue, Wed  |     | 1   | 1   |
    /// | Tue       |     | 1   |     |
    /// | Wed, Mon  | 1   |     | 1   |
    /// | Wed       |     |     | 1   |
    /// | total     | 2   | 3   | 3   |
    ///
    /// Tuesday and Wednesday tie on 3; Tuesday was added first and wins.
    #[test]
    fn approval_date_poll_with_a_tie() {
        let (mon, tue, wed) = (0, 1, 2);
        let t = tally(
            Approval,
            3,
            &[&[mon, tue], &[tue, wed], &[tue], &[wed, mon], &[wed]],
        );
        assert_eq!(t.totals, vec![2, 3, 3]);
        assert_eq!(t.winner, Some(tue));
        assert_eq!(
            t.tie_break,
            Some(TieBreak {
                tied: vec![tue, wed],
                by: TieBreakBy::AddedOrder {
                    still_tied: vec![tue, wed]
                },
            })
        );
    }

    /// Approval without a tie: B is approved by all three.
    #[test]
    fn approval_counts_each_approval_once() {
        let t = tally(Approval, 4, &[&[A, B], &[B, D], &[C, B, A]]);
        assert_eq!(t.totals, vec![2, 3, 1, 1]);
        assert_eq!(t.winner, Some(B));
        assert_eq!(t.tie_break, None);
    }

    /// Votes: C, A, C, A, B: A 2, B 1, C 2, D 0. A and C tie; A was added
    /// first and wins. Then one more vote for C makes C the clear winner.
    #[test]
    fn plurality_with_and_without_a_tie() {
        let tied = tally(Plurality, 4, &[&[C], &[A], &[C], &[A], &[B]]);
        assert_eq!(tied.totals, vec![2, 1, 2, 0]);
        assert_eq!(tied.winner, Some(A));
        assert_eq!(
            tied.tie_break.as_ref().map(|tb| tb.tied.clone()),
            Some(vec![A, C])
        );

        let clear = tally(Plurality, 4, &[&[C], &[A], &[C], &[A], &[B], &[C]]);
        assert_eq!(clear.totals, vec![2, 1, 3, 0]);
        assert_eq!(clear.winner, Some(C));
        assert_eq!(clear.tie_break, None);
    }

    #[test]
    fn no_ballots_no_winner() {
        for &method in PollMethod::ALL {
            let t = count(method, 3, &[]).unwrap();
            assert_eq!(t.winner, None, "{method}");
            assert_eq!(t.totals, vec![0, 0, 0], "{method}");
            assert_eq!(t.ballots, 0);
            assert!(t.rounds.is_empty());
            assert_eq!(t.tie_break, None);
        }
    }

    #[test]
    fn a_poll_needs_two_to_fifty_choices() {
        assert_eq!(
            validate_options(1).unwrap_err().to_string(),
            "A poll needs at least two choices; this one has 1."
        );
        assert!(matches!(
            validate_options(0),
            Err(PollError::TooFewOptions { given: 0 })
        ));
        assert!(validate_options(2).is_ok());
        assert!(validate_options(MAX_OPTIONS).is_ok());
        assert_eq!(
            validate_options(51).unwrap_err().to_string(),
            "A poll can have at most 50 choices; this one has 51."
        );
        assert!(Ballot::new(Approval, 1, &[0]).is_err());
        assert!(count(Approval, 51, &[]).is_err());
    }

    #[test]
    fn ballot_errors_name_the_problem() {
        let msg = |m, n, raw: &[usize]| Ballot::new(m, n, raw).unwrap_err().to_string();
        assert_eq!(
            msg(RankedChoice, 4, &[]),
            "The ballot is empty: choose at least one."
        );
        assert_eq!(
            msg(RankedChoice, 4, &[2, 0, 2]),
            "The ballot ranks the same book twice: choice 3 is at place 1 and again at place 3."
        );
        assert_eq!(
            msg(Borda, 4, &[1, 1]),
            "The ballot ranks the same book twice: choice 2 is at place 1 and again at place 2."
        );
        assert_eq!(
            msg(Approval, 4, &[3, 3]),
            "The ballot names choice 4 twice."
        );
        assert_eq!(
            msg(Approval, 4, &[0, 4]),
            "The ballot names choice 5, but this poll has only 4 choices."
        );
        assert_eq!(
            msg(Plurality, 4, &[0, 1]),
            "This poll takes a single choice, and the ballot has 2: keep just one."
        );
        assert!(matches!(
            Ballot::new(Plurality, 4, &[usize::MAX]),
            Err(PollError::UnknownOption {
                option: usize::MAX,
                n_options: 4
            })
        ));
        assert_eq!(
            msg(Plurality, 3, &[usize::MAX]),
            format!(
                "The ballot names choice {}, but this poll has only 3 choices.",
                usize::MAX
            )
        );
    }

    #[test]
    fn ballots_keep_their_meaning() {
        // Ranked: order kept, partial allowed.
        let ranked = Ballot::new(RankedChoice, 5, &[3, 1]).unwrap();
        assert_eq!(ranked.choices(), &[3, 1]);
        // Approval: a set, kept sorted.
        let approval = Ballot::new(Approval, 5, &[4, 0, 2]).unwrap();
        assert_eq!(approval.choices(), &[0, 2, 4]);
        assert_eq!(Ballot::new(Plurality, 5, &[4]).unwrap().choices(), &[4]);
    }

    #[test]
    fn a_long_hostile_ballot_is_refused_early() {
        let mut raw = vec![0usize; 1_000_000];
        raw[0] = 1;
        assert!(matches!(
            Ballot::new(RankedChoice, 3, &raw),
            Err(PollError::RankedTwice {
                option: 0,
                first_place: 1,
                again_place: 2
            })
        ));
    }

    #[test]
    fn a_ballot_from_another_poll_is_not_counted() {
        let approval = ballots(Approval, 3, &[&[0, 1]]);
        assert_eq!(
            count(Plurality, 3, &approval),
            Err(PollError::BallotDoesNotFit)
        );
        assert_eq!(
            count(Approval, 4, &approval),
            Err(PollError::BallotDoesNotFit)
        );
        assert!(count(Approval, 3, &approval).is_ok());
    }

    #[test]
    fn methods_round_trip_as_text() {
        for &m in PollMethod::ALL {
            assert_eq!(PollMethod::parse(m.as_str()), Some(m));
            assert!(!tie_break_rule(m).is_empty());
        }
        assert_eq!(PollMethod::parse("ranked_choice"), Some(RankedChoice));
        assert!(PollMethod::try_from("condorcet".to_string()).is_err());
    }

    /// The rule sentences describe what the count does: each says the
    /// choice added first wins a tie, and only ranked choice looks back.
    #[test]
    fn tie_rule_text_matches_the_rule() {
        for &m in PollMethod::ALL {
            let text = tie_break_rule(m);
            assert!(text.contains("added to the poll first"), "{m}: {text}");
            assert_eq!(text.contains("earlier rounds"), m == RankedChoice, "{m}");
        }
    }

    // ---- properties ----

    /// A poll size and ballots for it: each ballot a ranking of some of
    /// the choices (1..=n of them, in random order).
    fn election() -> impl Strategy<Value = (usize, Vec<Vec<usize>>)> {
        (2usize..=7).prop_flat_map(|n| {
            let ranking = (Just((0..n).collect::<Vec<usize>>()).prop_shuffle(), 1..=n)
                .prop_map(|(order, len)| order[..len].to_vec());
            (Just(n), prop::collection::vec(ranking, 0..25))
        })
    }

    /// The same raw rankings as ballots of `method`: plurality keeps the
    /// first choice.
    fn as_ballots(method: PollMethod, n: usize, raw: &[Vec<usize>]) -> Vec<Ballot> {
        raw.iter()
            .map(|r| {
                let r = if method == Plurality { &r[..1] } else { &r[..] };
                Ballot::new(method, n, r).unwrap()
            })
            .collect()
    }

    proptest! {
        #[test]
        fn counts_do_not_depend_on_ballot_order(
            (n, raw, shuffled) in election().prop_flat_map(|(n, raw)| {
                (Just(n), Just(raw.clone()), Just(raw).prop_shuffle())
            })
        ) {
            for &method in PollMethod::ALL {
                let a = count(method, n, &as_ballots(method, n, &raw)).unwrap();
                let b = count(method, n, &as_ballots(method, n, &shuffled)).unwrap();
                prop_assert_eq!(a, b);
            }
        }

        #[test]
        fn identical_ballots_elect_their_first_choice(
            (n, raw) in election().prop_filter("some ballots", |(_, raw)| !raw.is_empty()),
            copies in 1usize..20,
        ) {
            let one = &raw[0];
            let same = vec![one.clone(); copies];
            for &method in PollMethod::ALL {
                let ballots = as_ballots(method, n, &same);
                let t = count(method, n, &ballots).unwrap();
                // An approval ballot is sorted; its first is the earliest
                // added, which also wins the tie among its choices.
                prop_assert_eq!(t.winner, Some(ballots[0].choices()[0]), "{}", method);
            }
        }

        #[test]
        fn the_winner_is_a_choice_with_the_top_total((n, raw) in election()) {
            for &method in PollMethod::ALL {
                let t = count(method, n, &as_ballots(method, n, &raw)).unwrap();
                prop_assert_eq!(t.totals.len(), n);
                match t.winner {
                    None => prop_assert!(raw.is_empty()),
                    Some(w) => {
                        prop_assert!(w < n);
                        let best = t.totals.iter().copied().max().unwrap();
                        prop_assert_eq!(t.totals[w], best, "{}", method);
                        // On a tie for the top, the earliest added wins
                        // (ranked choice settles its ties in the rounds).
                        if method != RankedChoice {
                            let first_best = t.totals.iter().position(|&v| v == best);
                            prop_assert_eq!(Some(w), first_best);
                        }
                    }
                }
            }
        }

        #[test]
        fn ranked_choice_rounds_account_for_every_ballot((n, raw) in election()) {
            let t = count(RankedChoice, n, &as_ballots(RankedChoice, n, &raw)).unwrap();
            let cast = raw.len() as u64;
            prop_assert!(t.rounds.len() <= n);
            let mut out = vec![false; n];
            for (i, round) in t.rounds.iter().enumerate() {
                let sum: u64 = round.votes.iter().flatten().sum();
                prop_assert!(round.votes.iter().flatten().all(|&v| v <= cast));
                prop_assert_eq!(sum + round.exhausted, cast);
                // A choice has no votes listed exactly once it is out.
                let listed: Vec<bool> = round.votes.iter().map(Option::is_none).collect();
                prop_assert_eq!(&listed, &out);
                let last = i + 1 == t.rounds.len();
                prop_assert_eq!(round.eliminated.is_none(), last);
                if let Some(e) = round.eliminated {
                    // Only a choice with fewest votes is eliminated.
                    let fewest = round.votes.iter().flatten().min().copied();
                    prop_assert_eq!(round.votes[e], fewest);
                    out[e] = true;
                }
            }
            if let (Some(w), Some(last)) = (t.winner, t.rounds.last()) {
                let live = cast - last.exhausted;
                let alone = last.votes.iter().flatten().count() == 1;
                prop_assert!(alone || last.votes[w].unwrap() * 2 > live);
            }
        }

        #[test]
        fn a_ballot_naming_a_choice_twice_is_refused(
            (n, raw) in election().prop_filter("some ballots", |(_, raw)| !raw.is_empty()),
            at in any::<prop::sample::Index>(),
        ) {
            let mut twice = raw[0].clone();
            let again = twice[at.index(twice.len())];
            twice.push(again);
            for &method in PollMethod::ALL {
                prop_assert!(Ballot::new(method, n, &twice).is_err());
            }
        }
    }
}
