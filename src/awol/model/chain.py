"""The day's chain of events: what can happen to a soldier in one day, defined once.

For each status this module gives its competing events in order, the day's
probability of each (from the day's rates, `model.rates.DayRates`, and the soldier's
class), where each event leads, and what each adds to the day's tallies
(`model.tallies`). The engines decide only how to draw: the agent engine soldier by
soldier with one uniform, the cohort engine as multinomial counts of exchangeable
soldiers, the expected course in expectation. None of them computes a probability or
chooses a destination of its own, so a rule changed here changes all three alike
(tests/model/test_chain.py checks that by editing this file).

Within a day a soldier undergoes at most one transition. "Competing, in this order"
(docs/ODD.md, Process overview): with daily probabilities p1, p2, p3 of the events of
his status, he meets the first with p1, the second with (1 − p1)·p2, and so on; the
functions below return these unconditional probabilities, whose sum is the chance
that anything happens. Death and wounding are exclusive parts of the same day, so a
wound's probability is taken as given rather than conditional on surviving.

Every function is compiled by Numba and inlined into the engines' kernels; they take
the day's rates as the named tuple `DayRates` and plain numbers, and allocate nothing.
"""

from __future__ import annotations

from numba import njit

from awol.model import tallies as K
from awol.model.states import (
    AT_LARGE,
    DETAINED,
    ESCAPED,
    HOSPITAL,
    IMPRISONED,
    KILLED,
    PRISON,
    RELEASED,
    RETAINED,
    SERVING,
)

rule = njit(cache=True, inline="always")

# ---------------------------------------------------------------- events, by status

# A soldier on duty (serving or retained) and a soldier in hospital meet three competing
# events each; the second event of hospital is empty (probability 0), so that the
# engines can treat the three statuses alike.
DUTY_KILLED, DUTY_WOUNDED, DUTY_DESERTS = 0, 1, 2               # M2, M2, M3
HOSPITAL_RECOVERS, HOSPITAL_NONE, HOSPITAL_DESERTS = 0, 1, 2     # M2, -, M3
N_CLASS_EVENTS = 3

# A deserter at large: caught by search, else surrenders, else tries to move on (M5, M6).
AT_LARGE_SEARCHED, AT_LARGE_SURRENDERS, AT_LARGE_MOVES = 0, 1, 2

# How a capture came about (the tally it adds to).
BY_SEARCH, BY_SURRENDER, BY_CHECKPOINT = 0, 1, 2


@rule
def desertion_hazard(rates, status, role, channel, unit, factor):
    """M3: the day's desertion hazard of a soldier serving, retained or in hospital.

    `factor` is his personal factor exp(β_tol (τ − ½)) (the agent engine) or the mean
    factor of his risk level (the cohort engine); the hazard is capped at 1.
    """
    h = rates.desert[status, role, channel, unit] * factor
    return h if h < 1.0 else 1.0


@rule
def class_events(rates, status, role, channel, unit, factor):
    """Unconditional probabilities of the three competing events of a soldier in `status`.

    On duty (serving, retained): killed, wounded (M2), deserts (M3) with what is left of
    the day times the hazard. In hospital: leaves hospital (M2), nothing, deserts (M3,
    his hazard carries the hospital's opportunity multiplier).
    """
    if status == HOSPITAL:
        first = rates.recover
        second = 0.0
    else:
        first = rates.death[role]
        second = rates.wound[role]
    return first, second, (1.0 - first - second) * desertion_hazard(rates, status, role, channel, unit, factor)


@rule
def class_events_bound(rates, status, casualty_bound, hazard_bound):
    """An upper bound on the total of `class_events` given bounds on its parts.

    On duty the total d + w + (1 − d − w)·h grows with d + w and with h, so a bound on
    death plus wounding and a bound on the hazard bound it; in hospital the recovery
    probability stands in for d + w. The agent engine visits a soldier only on candidate
    days drawn under such a bound (engines/agents).
    """
    base = rates.recover if status == HOSPITAL else casualty_bound
    return base + (1.0 - base) * hazard_bound


@rule
def at_large_events(rates, region):
    """Unconditional probabilities of a deserter at large's competing events in `region`:
    caught by search (M5), surrenders (M6), tries the next route towards his destination (M5)."""
    searched = rates.search_capture[region]
    rest = 1.0 - searched
    return searched, rest * rates.surrender, rest * (1.0 - rates.surrender) * rates.move


@rule
def detention_ends(rates):
    """M6: the daily probability that a detained soldier's detention ends."""
    return rates.detention_end


# ---------------------------------------------------------------- where events lead

@rule
def on_duty_status(term_decided):
    """The status of a soldier who comes back on duty: retained once his term decision was taken."""
    return RETAINED if term_decided else SERVING


@rule
def class_event_destination(status, event, term_decided):
    """Where event `event` of a soldier in `status` (serving, retained, hospital) leads.

    A soldier leaving hospital is discharged (released) with probability
    `discharged_share`; this gives his status if he is not.
    """
    if event == DUTY_DESERTS:
        return AT_LARGE
    if status == HOSPITAL:
        return on_duty_status(term_decided)
    return KILLED if event == DUTY_KILLED else HOSPITAL


@rule
def discharged_share(rates):
    """M2: the share of soldiers leaving hospital who are discharged (released)."""
    return rates.discharge


@rule
def term_end_split(rates):
    """M1 at the end of a term: (released, sent to an assault role if retained)."""
    return rates.release, rates.assault_retained


@rule
def exit_share(rates):
    """M3: the share of deserters who head for the exit rather than home."""
    return rates.exit_share


@rule
def route_stop(rates, region, next_region):
    """M5: the probability that a checkpoint on the route stops him."""
    return rates.intercept[region, next_region]


@rule
def moves_on(next_region, region):
    """Whether a deserter trying to move has somewhere to go (else he stays where he is)."""
    return next_region != region


@rule
def sentence_shares(rates):
    """M6 at capture: the shares (sent to prison, prosecuted), nested: the prison-bound are
    prosecuted, the prosecuted not sent to prison have their sentence suspended, the rest
    are not prosecuted. Each prosecution is a court case (M8)."""
    return rates.imprison, rates.prosecute


@rule
def after_detention(sentence, term_decided):
    """M6: where a soldier goes when his detention ends: prison, or back to the front."""
    return IMPRISONED if sentence == PRISON else on_duty_status(term_decided)


@rule
def returned_assault_share(rates):
    """M6: the share of soldiers back from detention sent to an assault role."""
    return rates.assault_returned


# ---------------------------------------------------------------- what events add to the tallies

@rule
def record_move(row, src, dst, k):
    """K soldiers moved from `src` to `dst` today."""
    row[K.FLOW + src * K.N_STATUS + dst] += k


@rule
def record_term_end(row, released, retained):
    """M1: of the soldiers whose term ended today, `released` left and `retained` were held."""
    row[K.FLOW + SERVING * K.N_STATUS + RELEASED] += released
    row[K.FLOW + SERVING * K.N_STATUS + RETAINED] += retained


@rule
def record_class_event(row, status, event, role, channel, once_deserted, k, dst):
    """K soldiers in `status` met `event` and went to `dst` (`class_event_destination`, or
    RELEASED for the discharged)."""
    row[K.FLOW + status * K.N_STATUS + dst] += k
    if event == DUTY_DESERTS:
        row[K.DESERTIONS_CHANNEL + channel] += k
    elif status != HOSPITAL:
        if event == DUTY_KILLED:
            row[K.DEATHS_ROLE + role] += k
            if once_deserted:
                row[K.DEATHS_RETURNED] += k
        else:
            row[K.WOUNDS_ROLE + role] += k


@rule
def record_capture(row, how, k):
    """K deserters detained today, by search, surrender or at a checkpoint."""
    row[K.FLOW + AT_LARGE * K.N_STATUS + DETAINED] += k
    if how == BY_SEARCH:
        row[K.CAPTURES_SEARCH] += k
    elif how == BY_SURRENDER:
        row[K.SURRENDERS] += k
    else:
        row[K.CAPTURES_CHECKPOINT] += k


@rule
def record_cases(row, k):
    """K prosecutions opened at capture: the court cases M8 observes."""
    row[K.CASES_OPENED] += k


@rule
def record_escape(row, k):
    """K deserters crossed into an exit region."""
    row[K.FLOW + AT_LARGE * K.N_STATUS + ESCAPED] += k


@rule
def record_detention_end(row, sentence, term_decided, k):
    """K detained soldiers left detention (`after_detention`)."""
    row[K.FLOW + DETAINED * K.N_STATUS + after_detention(sentence, term_decided)] += k

