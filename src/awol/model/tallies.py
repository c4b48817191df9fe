"""What is counted each day: the layout of one day's tallies, shared by the chain and every engine.

The chain of events (`model.chain`) adds each event it records into a row of
`N_TALLIES` numbers laid out as below; engines keep one row per day (integers for
draws, floats for the expectation) and `engines.outputs` turns the rows into named
daily columns (BRIEF.md, Outputs). Stocks are end-of-day counts; everything else is
the day's flow. Indices are module constants, which Numba compiles as literals.
"""

from __future__ import annotations

from awol.model.states import CHANNELS, ROLES, STATUSES, TRANSITIONS

N_STATUS = len(STATUSES)
N_ROLE = len(ROLES)
N_CHANNEL = len(CHANNELS)

FLOW = 0                                        # [from * N_STATUS + to], the day's moves between statuses
STOCK = FLOW + N_STATUS * N_STATUS              # [status], at the end of the day
ON_DUTY_ROLE = STOCK + N_STATUS                 # [role], stock
ON_DUTY_CHANNEL = ON_DUTY_ROLE + N_ROLE         # [channel], stock
DEATHS_ROLE = ON_DUTY_CHANNEL + N_CHANNEL       # [role]
WOUNDS_ROLE = DEATHS_ROLE + N_ROLE              # [role]
DESERTIONS_CHANNEL = WOUNDS_ROLE + N_ROLE       # [channel]
DEATHS_RETURNED = DESERTIONS_CHANNEL + N_CHANNEL  # deaths of soldiers who once deserted
ON_DUTY_RETURNED = DEATHS_RETURNED + 1          # on duty and once deserted (stock)
CAPTURES_CHECKPOINT = ON_DUTY_RETURNED + 1
CAPTURES_SEARCH = CAPTURES_CHECKPOINT + 1
SURRENDERS = CAPTURES_SEARCH + 1
CASES_OPENED = SURRENDERS + 1
RECRUITS_CHANNEL = CASES_OPENED + 1             # [channel]
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
    for i, c in enumerate(CHANNELS):
        cols[f"recruits_{c}"] = RECRUITS_CHANNEL + i
    for i, c in enumerate(CHANNELS):
        cols[f"desertions_{c}"] = DESERTIONS_CHANNEL + i
    for i, r in enumerate(ROLES):
        cols[f"deaths_{r}"] = DEATHS_ROLE + i
    cols["deaths_returned"] = DEATHS_RETURNED
    for i, r in enumerate(ROLES):
        cols[f"wounds_{r}"] = WOUNDS_ROLE + i
    cols["captures_checkpoint"] = CAPTURES_CHECKPOINT
    cols["captures_search"] = CAPTURES_SEARCH
    cols["surrenders"] = SURRENDERS
    cols["cases_opened"] = CASES_OPENED
    for a, b in TRANSITIONS:
        cols[flow_column(a, b)] = flow_index(a, b)
    return cols
