"""Counts the elections written by the poll cross-check test with pref_voting,
an independent implementation, and prints one line per election.

Input (the file named as the first argument), one election per line:
    <id> <kind> <n> <ballot>|<ballot>|...
where a ballot is space-separated choice indices (best first) and kind is
one of: plurality, borda, irv (complete rankings), borda_partial,
irv_partial (rankings of some choices), approval (sets of choices).

Output, one line per election:
    <id> winners=<w ...> scores=<s0 s1 ...> tb=<w>
scores is "-" for the instant-runoff kinds; tb is instant runoff with the
fixed tie-breaker "added last is eliminated first" ("-" for other kinds).
winners is pref_voting's set of winners: for instant runoff, the
parallel-universe set (every winner some order of eliminating tied
choices gives).
"""

import sys

from pref_voting.grade_methods import approval
from pref_voting.grade_profiles import GradeProfile
from pref_voting.iterative_methods import instant_runoff_put, instant_runoff_tb
from pref_voting.profiles import Profile
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import (
    borda,
    borda_for_profile_with_ties,
    domination_borda_scores,
    plurality,
)


def as_ints(values):
    return " ".join(str(int(v)) for v in values)


def truncated(ballots, n):
    rankings = [{c: place + 1 for place, c in enumerate(b)} for b in ballots]
    return ProfileWithTies(rankings, candidates=list(range(n)))


def count(kind, n, ballots):
    cands = list(range(n))
    added_last_first = list(reversed(cands))
    if kind == "plurality":
        prof = Profile(ballots)
        scores = prof.plurality_scores()
        return plurality(prof), [scores[c] for c in cands], None
    if kind == "borda":
        prof = Profile(ballots)
        scores = prof.borda_scores()
        return borda(prof), [scores[c] for c in cands], None
    if kind == "borda_partial":
        prof = truncated(ballots, n)
        scores = domination_borda_scores(prof)
        winners = borda_for_profile_with_ties(prof, borda_scores=domination_borda_scores)
        return winners, [scores[c] for c in cands], None
    if kind == "irv":
        prof = Profile(ballots)
        tb = instant_runoff_tb(prof, tie_breaker=added_last_first)
        return instant_runoff_put(prof), None, tb
    if kind == "irv_partial":
        prof = truncated(ballots, n)
        tb = instant_runoff_tb(prof, tie_breaker=added_last_first)
        return instant_runoff_put(prof), None, tb
    if kind == "approval":
        prof = GradeProfile([{c: 1 for c in b} for b in ballots], [0, 1], candidates=cands)
        scores = [prof.sum(c) or 0 for c in cands]
        return approval(prof), scores, None
    raise ValueError(f"unknown kind {kind!r}")


def main():
    with open(sys.argv[1], encoding="utf-8") as elections:
        for line in elections:
            line = line.strip()
            if not line:
                continue
            ident, kind, n, rest = line.split(" ", 3)
            ballots = [[int(c) for c in b.split()] for b in rest.split("|")]
            winners, scores, tb = count(kind, int(n), ballots)
            if tb is not None and len(tb) != 1:
                raise SystemExit(f"election {ident}: tie-broken runoff gave {tb}")
            print(
                f"{ident} winners={as_ints(sorted(winners))}"
                f" scores={'-' if scores is None else as_ints(scores)}"
                f" tb={'-' if tb is None else int(tb[0])}"
            )


main()
