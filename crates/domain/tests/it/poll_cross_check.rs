//! Our poll counts checked against an independent implementation: Python's
//! `pref_voting` package counts the same few hundred random elections
//! (seeded, 2–5 choices, 1–12 voters, so ties are common).
//!
//! What is compared, per method:
//! - plurality, Borda (complete and partial rankings), approval: the totals
//!   must be equal, our winner must be in pref_voting's set of winners, and
//!   it must be the earliest-added of that set (our tie rule).
//! - ranked choice (complete and partial rankings): our winner must be in
//!   pref_voting's parallel-universe set (the winners of every order of
//!   eliminating tied choices), so equal to it when that set has one
//!   member; and when our count settled every tie by the order added alone,
//!   it must equal pref_voting's runoff with that fixed tie-breaker.
//!
//! Partial rankings mean the same in both: our Borda rule (place k of n
//! earns n-1-k, unranked earns 0) is pref_voting's "domination" Borda
//! score, and a partial ranked-choice ballot counts for its highest-ranked
//! choice still running, or for no one, in both.

use quire_domain::poll::{Ballot, PollMethod, Tally, TieBreakBy, count};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

const ELECTIONS: usize = 300;
const SEED: u64 = 0x5EC7_B00C_C1AB_0051;
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/pref_voting_check.py");

/// SplitMix64: a few lines of seeded randomness, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn shuffled(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            v.swap(i, self.between(0, i));
        }
        v
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Plurality,
    Borda,
    BordaPartial,
    Irv,
    IrvPartial,
    Approval,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Plurality => "plurality",
            Kind::Borda => "borda",
            Kind::BordaPartial => "borda_partial",
            Kind::Irv => "irv",
            Kind::IrvPartial => "irv_partial",
            Kind::Approval => "approval",
        }
    }

    fn method(self) -> PollMethod {
        match self {
            Kind::Plurality => PollMethod::Plurality,
            Kind::Borda | Kind::BordaPartial => PollMethod::Borda,
            Kind::Irv | Kind::IrvPartial => PollMethod::RankedChoice,
            Kind::Approval => PollMethod::Approval,
        }
    }
}

struct Election {
    kind: Kind,
    n: usize,
    /// What pref_voting is given: complete rankings for plurality (it
    /// reads the first choice), otherwise the ballots as cast.
    ballots: Vec<Vec<usize>>,
}

impl Election {
    fn ours(&self) -> Tally {
        let method = self.kind.method();
        let ballots: Vec<Ballot> = self
            .ballots
            .iter()
            .map(|b| {
                let cast = if method == PollMethod::Plurality {
                    &b[..1]
                } else {
                    &b[..]
                };
                Ballot::new(method, self.n, cast).unwrap()
            })
            .collect();
        count(method, self.n, &ballots).unwrap()
    }
}

fn elections() -> Vec<Election> {
    let mut rng = Rng(SEED);
    let mut all = Vec::new();
    for _ in 0..ELECTIONS {
        let n = rng.between(2, 5);
        let voters = rng.between(1, 12);
        let complete: Vec<Vec<usize>> = (0..voters).map(|_| rng.shuffled(n)).collect();
        let partial: Vec<Vec<usize>> = complete
            .iter()
            .map(|r| r[..rng.between(1, n)].to_vec())
            .collect();
        let approvals: Vec<Vec<usize>> = (0..voters)
            .map(|_| {
                let set: Vec<usize> = (0..n).filter(|_| rng.next() & 1 == 0).collect();
                if set.is_empty() {
                    vec![rng.between(0, n - 1)]
                } else {
                    set
                }
            })
            .collect();
        for (kind, ballots) in [
            (Kind::Plurality, &complete),
            (Kind::Borda, &complete),
            (Kind::Irv, &complete),
            (Kind::BordaPartial, &partial),
            (Kind::IrvPartial, &partial),
            (Kind::Approval, &approvals),
        ] {
            all.push(Election {
                kind,
                n,
                ballots: ballots.clone(),
            });
        }
    }
    all
}

/// pref_voting's answer for one election.
struct Theirs {
    winners: Vec<usize>,
    scores: Option<Vec<u64>>,
    tie_broken: Option<usize>,
}

fn numbers<T: std::str::FromStr>(text: &str) -> Option<Vec<T>> {
    text.split_whitespace().map(|t| t.parse().ok()).collect()
}

/// Parses "<id> winners=.. scores=.. tb=..".
fn parse_line(line: &str) -> Option<(usize, Theirs)> {
    let (id, rest) = line.split_once(' ')?;
    let id = id.parse().ok()?;
    let (winners, rest) = rest.strip_prefix("winners=")?.split_once(" scores=")?;
    let (scores, tb) = rest.split_once(" tb=")?;
    Some((
        id,
        Theirs {
            winners: numbers(winners)?,
            scores: if scores == "-" {
                None
            } else {
                Some(numbers(scores)?)
            },
            tie_broken: if tb == "-" {
                None
            } else {
                Some(tb.parse().ok()?)
            },
        },
    ))
}

fn pref_voting(elections: &[Election]) -> (BTreeMap<usize, Theirs>, PathBuf) {
    match Command::new("python3")
        .args(["-c", "import pref_voting"])
        .output()
    {
        Err(e) => panic!(
            "python3 could not be started ({e}); this test needs Python 3 with pref_voting: \
             install Python 3, then run `pip install pref_voting`"
        ),
        Ok(out) if !out.status.success() => panic!(
            "Python's pref_voting package is missing: run `pip install pref_voting` \
             (python3 said: {})",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Ok(_) => {}
    }

    let mut text = String::new();
    for (id, e) in elections.iter().enumerate() {
        let ballots: Vec<String> = e
            .ballots
            .iter()
            .map(|b| {
                b.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        text.push_str(&format!(
            "{id} {} {} {}\n",
            e.kind.name(),
            e.n,
            ballots.join("|")
        ));
    }
    // Kept after the run, so a failure can be replayed by hand.
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("poll-elections.txt");
    std::fs::write(&path, text).unwrap();

    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pref_voting_check.py failed on {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: BTreeMap<usize, Theirs> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(parse_line)
        .collect();
    assert_eq!(
        answers.len(),
        elections.len(),
        "pref_voting answered {} of {} elections ({})",
        answers.len(),
        elections.len(),
        path.display()
    );
    (answers, path)
}

/// Whether every tie in a ranked-choice count was settled by the order
/// added alone, with no earlier round ruling anyone out: then our count is
/// a runoff with that one fixed tie-breaker.
fn ties_settled_by_order_added_alone(t: &Tally) -> bool {
    t.rounds
        .iter()
        .filter_map(|r| r.tie_break.as_ref())
        .all(|tb| matches!(&tb.by, TieBreakBy::AddedOrder { still_tied } if *still_tied == tb.tied))
}

#[test]
fn counts_agree_with_pref_voting() {
    let elections = elections();
    let (theirs, path) = pref_voting(&elections);

    let mut seen = BTreeMap::<&str, usize>::new();
    let mut note = |what| *seen.entry(what).or_default() += 1;
    for (id, e) in elections.iter().enumerate() {
        let ours = e.ours();
        let them = &theirs[&id];
        let winner = ours.winner.unwrap();
        let about = || {
            format!(
                "election {id} ({}, {} choices, ballots {:?}; all elections in {}): \
                 ours {ours:?}, pref_voting winners {:?}",
                e.kind.name(),
                e.n,
                e.ballots,
                path.display(),
                them.winners
            )
        };
        assert!(them.winners.contains(&winner), "{}", about());
        if them.winners.len() == 1 {
            note("single winner");
        } else {
            note("tied set of winners");
        }
        match e.kind {
            Kind::Irv | Kind::IrvPartial => {
                if ours.rounds.iter().any(|r| {
                    matches!(
                        r.tie_break.as_ref().map(|t| &t.by),
                        Some(TieBreakBy::EarlierRound { .. })
                    )
                }) {
                    note("runoff tie settled by an earlier round");
                }
                if ties_settled_by_order_added_alone(&ours) {
                    note("runoff compared with the fixed tie-breaker");
                    assert_eq!(Some(winner), them.tie_broken, "{}", about());
                }
            }
            _ => {
                assert_eq!(Some(&ours.totals), them.scores.as_ref(), "{}", about());
                // Their set is sorted; the earliest added wins our ties.
                assert_eq!(Some(&winner), them.winners.first(), "{}", about());
            }
        }
    }

    // The sample must have exercised the cases that matter, or the
    // comparison proves little.
    for what in [
        "single winner",
        "tied set of winners",
        "runoff tie settled by an earlier round",
        "runoff compared with the fixed tie-breaker",
    ] {
        assert!(
            seen.get(what).copied().unwrap_or(0) > 0,
            "no election had a {what}: {seen:?}"
        );
    }
    println!(
        "{} elections agreed with pref_voting: {seen:?}",
        elections.len()
    );
}
