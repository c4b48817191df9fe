"""What is counted each day: the layout of one day's tallies, shared by the chain and every engine.

The chain of events (`model.chain`) adds each event it records into a row of
`N_TALLIES` numbers laid out as below; engines keep one row per day (integers for
draws, floats for the expectation) and `engines.outputs` turns the rows into named
daily columns (BRIEF.md, Outputs). Stocks are end-of-day counts; everything else is
the day's flow. Indices are module constants, which Numba compiles as literals.
"""

from __future__ import annotations

from awol.model.observation import ARTICLES
from awol.model.states import (
    ABSENCE_PATHWAYS,
    CHANNELS,
    DURATION_EDGES,
    ENDINGS,
    ROLES,
    STATUSES,
    TRANSITIONS,
)

N_STATUS = len(STATUSES)
N_ROLE = len(ROLES)
N_CHANNEL = len(CHANNELS)
N_PATHWAY = len(ABSENCE_PATHWAYS)
N_ENDING = len(ENDINGS)
N_DURATION = len(DURATION_EDGES) + 1
N_ARTICLE = len(ARTICLES)
DURATION_NAMES = ("under_3_days", "3_to_10_days", "11_to_30_days", "31_to_90_days", "91_to_180_days",
                  "over_180_days")

FLOW = 0                                          # [from * N_STATUS + to], the day's moves between statuses
STOCK = FLOW + N_STATUS * N_STATUS                # [status], at the end of the day
ON_DUTY_ROLE = STOCK + N_STATUS                   # [role], stock
ON_DUTY_CHANNEL = ON_DUTY_ROLE + N_ROLE           # [channel], stock
AT_LARGE_PATHWAY = ON_DUTY_CHANNEL + N_CHANNEL    # [pathway], stock at large by how the absence began
ON_DUTY_STATUS_ROLE = AT_LARGE_PATHWAY + N_PATHWAY  # [serving / retained, role], stock
DEATHS_ROLE = ON_DUTY_STATUS_ROLE + 2 * N_ROLE    # [role], on duty
WOUNDS_ROLE = DEATHS_ROLE + N_ROLE                # [role]
DESERTIONS_CHANNEL = WOUNDS_ROLE + N_ROLE         # [channel]: absences begun
ABSENCES_PATHWAY = DESERTIONS_CHANNEL + N_CHANNEL  # [pathway]: absences begun
LINE_ABSENCES = ABSENCES_PATHWAY + N_PATHWAY      # [serving / retained, role]: absences from the line
REFUSALS = LINE_ABSENCES + 2 * N_ROLE             # refusals to deploy
DEATHS_RETURNED = REFUSALS + 1                    # deaths on duty of soldiers who were once absent
ON_DUTY_RETURNED = DEATHS_RETURNED + 1            # on duty and once absent (stock)
ASSAULT_AT_TERM = ON_DUTY_RETURNED + 1            # retained at term and moved to an assault role (C2)
ASSAULT_ON_RETURN = ASSAULT_AT_TERM + 1           # back from detention and moved to an assault role (C5)
ENDED = ASSAULT_ON_RETURN + 1                     # [pathway * N_ENDING + ending]: absences ended
DAYS_ENDED = ENDED + N_PATHWAY * N_ENDING         # [pathway * N_ENDING + ending]: their days at large, summed
ENDED_DURATION = DAYS_ENDED + N_PATHWAY * N_ENDING  # [duration bin]: absences ended
CASES_ARTICLE = ENDED_DURATION + N_DURATION       # [article]: prosecutions opened (court cases, M8)
CASES_DURATION = CASES_ARTICLE + N_ARTICLE        # [duration bin]: prosecutions of absences opened
RECRUITS_CHANNEL = CASES_DURATION + N_DURATION    # [channel]
N_TALLIES = RECRUITS_CHANNEL + N_CHANNEL


def flow_index(src: int, dst: int) -> int:
    """Index of the day's flow from status `src` to status `dst`."""
    return FLOW + src * N_STATUS + dst


def flow_column(src: int, dst: int) -> str:
    """Name of that flow's daily column."""
    return f"flow_{STATUSES[src]}_to_{STATUSES[dst]}"


def tally_columns() -> dict[str, int]:
    """Column name → tally index, for the columns read straight from the tallies."""
    cols: dict[str, int] = {}
    for i, s in enumerate(STATUSES):
        cols[s] = STOCK + i
    for i, r in enumerate(ROLES):
        cols[f"on_duty_{r}"] = ON_DUTY_ROLE + i
    for i, c in enumerate(CHANNELS):
        cols[f"on_duty_{c}"] = ON_DUTY_CHANNEL + i
    cols["on_duty_returned"] = ON_DUTY_RETURNED
    for i, p in enumerate(ABSENCE_PATHWAYS):
        cols[f"at_large_{p}"] = AT_LARGE_PATHWAY + i
    for i, s in enumerate(STATUSES[:2]):
        for j, r in enumerate(ROLES):
            cols[f"{s}_{r}"] = ON_DUTY_STATUS_ROLE + i * N_ROLE + j
    for i, c in enumerate(CHANNELS):
        cols[f"recruits_{c}"] = RECRUITS_CHANNEL + i
    for i, c in enumerate(CHANNELS):
        cols[f"desertions_{c}"] = DESERTIONS_CHANNEL + i
    for i, p in enumerate(ABSENCE_PATHWAYS):
        cols[f"absences_{p}"] = ABSENCES_PATHWAY + i
    for i, s in enumerate(STATUSES[:2]):
        for j, r in enumerate(ROLES):
            cols[f"line_absences_{s}_{r}"] = LINE_ABSENCES + i * N_ROLE + j
    cols["refusals"] = REFUSALS
    cols["sent_to_assault_at_term"] = ASSAULT_AT_TERM
    cols["sent_to_assault_on_return"] = ASSAULT_ON_RETURN
    for i, r in enumerate(ROLES):
        cols[f"deaths_{r}"] = DEATHS_ROLE + i
    cols["deaths_returned"] = DEATHS_RETURNED
    for i, r in enumerate(ROLES):
        cols[f"wounds_{r}"] = WOUNDS_ROLE + i
    for i, p in enumerate(ABSENCE_PATHWAYS):
        for j, e in enumerate(ENDINGS):
            cols[f"ended_{p}_{e}"] = ENDED + i * N_ENDING + j
    for i, p in enumerate(ABSENCE_PATHWAYS):
        for j, e in enumerate(ENDINGS):
            cols[f"days_at_large_{p}_{e}"] = DAYS_ENDED + i * N_ENDING + j
    for i, d in enumerate(DURATION_NAMES):
        cols[f"ended_after_{d}"] = ENDED_DURATION + i
    for i, a in enumerate(ARTICLES):
        cols[f"cases_opened_{a}"] = CASES_ARTICLE + i
    for i, d in enumerate(DURATION_NAMES):
        cols[f"cases_opened_after_{d}"] = CASES_DURATION + i
    for a, b in TRANSITIONS:
        cols[flow_column(a, b)] = flow_index(a, b)
    return cols
