"""The day's chain of events: what can happen to a soldier in one day, defined once.

For each status this module gives its competing events in order, the day's
probability of each (from the day's rates, `model.rates.DayRates`, and the soldier's
class), where each event leads and what follows it (released or retained, discharged
or convalescing, back or not back, refusing, caught or returning, prosecuted or not),
and what each adds to the day's tallies (`model.tallies`). The engines decide only how
to draw: the agent engine soldier by soldier with counter-based uniforms, the cohort
engine as multinomial counts of exchangeable soldiers, the expected course in
expectation. None of them computes a probability or chooses a destination of its own,
so a rule changed here changes all three alike (tests/model/test_chain.py checks that
by editing this file).

Within a day a soldier undergoes at most one transition. "Competing, in this order"
(docs/ODD.md, Process overview): with daily probabilities p1, p2, p3 of the events of
his status, he meets the first with p1, the second with (1 − p1)·p2, and so on; the
functions below return these unconditional probabilities, whose sum is the chance
that anything happens. Death and wounding are exclusive parts of the same day, so a
wound's probability is taken as given rather than conditional on surviving.

Every function is compiled by Numba and inlined into the engines' kernels; they take
the day's rates as the named tuple `DayRates`, the graph as `geography.Movement`, and
plain numbers, and allocate nothing.
"""

from __future__ import annotations

from numba import njit

from awol.model import tallies as K
from awol.model.punishment import SHORT_ABSENCE_DAYS
from awol.model.states import (
    AT_LARGE,
    BY_POLICE,
    BY_SEARCH,
    DETAINED,
    DURATION_EDGES,
    HOSPITAL,
    IMPRISONED,
    KILLED,
    LEAVE,
    LINE_PATHWAY,
    ON_LEAVE,
    PRISON,
    RELEASED,
    RETAINED,
    SERVING,
)

rule = njit(cache=True, inline="always")

# ---------------------------------------------------------------- events, by status

# A soldier on duty (serving or retained) and a soldier in hospital meet up to four
# competing events each; hospital has one (its others have probability 0), so that the
# engines treat the three statuses alike.
DUTY_KILLED, DUTY_WOUNDED, DUTY_DESERTS, DUTY_LEAVE = 0, 1, 2, 3      # M2, M2, M3, M2
HOSPITAL_RECOVERS = 0                                                 # M2
N_CLASS_EVENTS = 4

# An absent soldier: found (search or police), comes back, dies, or tries to move on.
AT_LARGE_FOUND, AT_LARGE_RETURNS, AT_LARGE_DIES, AT_LARGE_MOVES = 0, 1, 2, 3

# Cases (which prosecution probability of `DayRates.prosecute` applies).
CASE_LONG, CASE_SHORT_FIRST, CASE_REFUSAL = 0, 1, 2
NO_DURATION = -1   # a refusal: no days at large


@rule
def propensity(rates, decided, role, channel, unit, factor):
    """M3: the soldier's propensity π to leave (`model.desertion`), personal factor included."""
    return rates.propensity[1 if decided else 0, role, channel, unit] * factor


@rule
def capped(p):
    return p if p < 1.0 else 1.0


@rule
def class_events(rates, status, role, channel, unit, factor):
    """Unconditional probabilities of the four competing events of a soldier in `status`.

    On duty (serving, retained): killed, wounded (M2), leaves from the line (M3, his
    hazard b·π), goes on rotation leave (M2). In hospital: leaves hospital (M2); what he
    does then is `recovery_split` and `return_split`.
    """
    if status == HOSPITAL:
        return rates.recover, 0.0, 0.0, 0.0
    d = rates.death[role]
    w = rates.wound[role]
    h = capped(rates.line_base * propensity(rates, status == RETAINED, role, channel, unit, factor))
    rest = 1.0 - d - w
    return d, w, rest * h, rest * (1.0 - h) * rates.leave_start


@rule
def class_events_bound(rates, status, casualty_bound, hazard_bound, leave_bound):
    """An upper bound on the total of `class_events` given bounds on its parts.

    On duty the total d + w + (1 − d − w)·(h + (1 − h)·ℓ) grows with d + w, with the
    hazard h and with the leave probability ℓ, so bounds on each bound it; in hospital
    it is the recovery probability. The agent engine visits a soldier only on candidate
    days drawn under such a bound (engines/agents).
    """
    if status == HOSPITAL:
        return rates.recover
    rest = hazard_bound + (1.0 - hazard_bound) * leave_bound
    return casualty_bound + (1.0 - casualty_bound) * rest


@rule
def leave_ends(rates, kind):
    """M2: the daily probability that a leave of `kind` (LEAVE: rotation, TREATMENT: convalescence) ends."""
    return rates.leave_end[0 if kind == LEAVE else 1]


@rule
def leave_ends_bound(rates):
    """The larger of the two leaves' ending probabilities."""
    return max(rates.leave_end[0], rates.leave_end[1])


@rule
def recovery_split(rates):
    """M2 on leaving hospital: the unconditional shares (discharged, convalescing at home);
    the rest go straight back (`return_split`)."""
    discharged = rates.discharge
    return discharged, (1.0 - discharged) * rates.convalescent


@rule
def return_split(rates, pathway, decided, role, channel, unit, factor):
    """M3 on the way back to duty after leave (`pathway` LEAVE) or treatment (TREATMENT):
    the unconditional shares (does not return, refuses to deploy); the rest are back on duty."""
    pi = propensity(rates, decided, role, channel, unit, factor)
    base = rates.leave_no_return if pathway == LEAVE else rates.treatment_no_return
    gone = capped(base * pi)
    return gone, (1.0 - gone) * capped(rates.refusal * pi)


@rule
def at_large_events(rates, region, hiding):
    """Unconditional probabilities of an absent soldier's competing events in `region`, with
    hiding level `hiding`: found by search or police (M5), comes back (M6), dies, tries the
    next route towards his destination (M5)."""
    eta = rates.hiding[hiding]
    found = capped(rates.detection[region] * eta)
    returns = capped(rates.voluntary_return * eta)
    rest = 1.0 - found
    rest2 = rest * (1.0 - returns)
    return found, rest * returns, rest2 * rates.death_at_large, rest2 * (1.0 - rates.death_at_large) * rates.move


@rule
def found_by(is_home, region):
    """The ending of an absent soldier found in `region`: police at home, search elsewhere."""
    return BY_POLICE if is_home[region] else BY_SEARCH


@rule
def detention_ends(rates):
    """M6: the daily probability that detention ends."""
    return rates.detention_end


# ---------------------------------------------------------------- where events lead

@rule
def on_duty_status(term_decided):
    """The status of a soldier who comes back on duty: retained once his term decision was taken."""
    return RETAINED if term_decided else SERVING


@rule
def class_event_destination(status, event, term_decided):
    """Where event `event` of a soldier in `status` (serving, retained, hospital) leads.

    A soldier leaving hospital goes where `recovery_split` and `return_split` send him;
    this gives his status if he is back on duty."""
    if status == HOSPITAL:
        return on_duty_status(term_decided)
    if event == DUTY_KILLED:
        return KILLED
    if event == DUTY_WOUNDED:
        return HOSPITAL
    if event == DUTY_DESERTS:
        return AT_LARGE
    return ON_LEAVE


@rule
def absence_start(moves, pathway, unit, convalescing):
    """The region where an absence begins: the unit's front region when leaving from the line,
    home when not back from leave or from a convalescence at home, the rear when leaving on
    the way back from hospital."""
    if pathway == LINE_PATHWAY:
        return moves.unit_region[unit]
    if pathway == LEAVE or convalescing:
        return moves.home_region[unit]
    return moves.rear_region[unit]


@rule
def term_end_split(rates, channel):
    """M1 at the end of a term: (released, sent to an assault role if retained)."""
    return rates.release[channel], rates.assault_retained


@rule
def exit_share(rates):
    """M3: the share of absent soldiers who head for the exit rather than home."""
    return rates.exit_share


@rule
def hiding_share(rates, level):
    """M5: the probability that an absence draws hiding level `level`."""
    return rates.hiding_share[level]


@rule
def route_stop(rates, region, next_region):
    """M5: the probability that a checkpoint on the route stops him."""
    return rates.intercept[region, next_region]


@rule
def moves_on(next_region, region):
    """Whether an absent soldier trying to move has somewhere to go (else he stays where he is)."""
    return next_region != region


@rule
def absence_case(prior_absences, days_at_large):
    """M6: which prosecution rule applies when an absence ends: a first absence of at most ten
    days is mostly handled without a case; any other absence is prosecuted as the policy says."""
    return CASE_SHORT_FIRST if prior_absences == 0 and days_at_large <= SHORT_ABSENCE_DAYS else CASE_LONG


@rule
def sentence_shares(rates, case):
    """M6 when detention begins: the shares (sent to prison, prosecuted), nested: the prison-bound
    are prosecuted, the prosecuted not sent to prison have their sentence suspended, the rest
    are not prosecuted. Each prosecution is a court case (M8)."""
    prosecuted = rates.prosecute[case]
    return prosecuted * rates.prison_share, prosecuted


@rule
def desertion_article_share(rates):
    """M8: the share of absence prosecutions brought as desertion (art. 338) rather than absence (337)."""
    return rates.desertion_share


@rule
def after_detention(sentence, term_decided):
    """M6: where a soldier goes when his detention ends: prison, or back to the front."""
    return IMPRISONED if sentence == PRISON else on_duty_status(term_decided)


@rule
def returned_assault_share(rates):
    """M6: the share of soldiers back from detention sent to an assault role."""
    return rates.assault_returned


@rule
def duration_bin(days):
    """The bin of `DURATION_EDGES` a number of days at large falls in."""
    b = 0
    for edge in DURATION_EDGES:
        if days >= edge:
            b += 1
    return b


# ---------------------------------------------------------------- what events add to the tallies

@rule
def record_move(row, src, dst, k):
    """k soldiers moved from `src` to `dst` today."""
    row[K.FLOW + src * K.N_STATUS + dst] += k


@rule
def record_term_end(row, released, retained):
    """M1: of the soldiers whose term ended today, `released` left and `retained` were held."""
    record_move(row, SERVING, RELEASED, released)
    record_move(row, SERVING, RETAINED, retained)


@rule
def record_class_event(row, status, event, role, channel, once_absent, k):
    """k soldiers on duty met `event` (killed, wounded or on leave; leaving from the line is
    `record_absence`)."""
    record_move(row, status, class_event_destination(status, event, False), k)
    if event == DUTY_KILLED:
        row[K.DEATHS_ROLE + role] += k
        if once_absent:
            row[K.DEATHS_RETURNED] += k
    elif event == DUTY_WOUNDED:
        row[K.WOUNDS_ROLE + role] += k


@rule
def record_absence(row, src, pathway, role, channel, k):
    """k soldiers in `src` (their role `role`) began an absence by `pathway`."""
    record_move(row, src, AT_LARGE, k)
    row[K.DESERTIONS_CHANNEL + channel] += k
    row[K.ABSENCES_PATHWAY + pathway] += k
    if pathway == LINE_PATHWAY:
        row[K.LINE_ABSENCES + src * K.N_ROLE + role] += k


@rule
def record_sent_to_assault(row, at_term, k):
    """k soldiers moved to an assault role: retained at term (C2), or back from detention (C5)."""
    row[K.ASSAULT_AT_TERM if at_term else K.ASSAULT_ON_RETURN] += k


@rule
def record_refusal(row, src, k):
    """k soldiers in `src` refused to deploy and were detained."""
    record_move(row, src, DETAINED, k)
    row[K.REFUSALS] += k


@rule
def record_ending(row, pathway, ending, days_at_large, k, dst):
    """k absences begun by `pathway` ended today after `days_at_large` days, by `ending`, in `dst`."""
    record_move(row, AT_LARGE, dst, k)
    row[K.ENDED + pathway * K.N_ENDING + ending] += k
    row[K.DAYS_ENDED + pathway * K.N_ENDING + ending] += k * days_at_large
    row[K.ENDED_DURATION + duration_bin(days_at_large)] += k


@rule
def record_cases(row, article, days_at_large, k):
    """k prosecutions opened today under `article` (M8); an absence's also by its length."""
    row[K.CASES_ARTICLE + article] += k
    if days_at_large != NO_DURATION:
        row[K.CASES_DURATION + duration_bin(days_at_large)] += k


@rule
def record_detention_end(row, sentence, term_decided, k):
    """k detained soldiers left detention (`after_detention`)."""
    record_move(row, DETAINED, after_detention(sentence, term_decided), k)

