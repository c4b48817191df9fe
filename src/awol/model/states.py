"""The discrete states a soldier can be in, the ways an absence begins and ends, and the transitions.

Codes are small integers so that engines can keep them in int8 arrays; the tuples
give their names, in code order, for outputs and reports.
"""

STATUSES = (
    "serving",      # on duty, within contract term (or mobilised: no term)
    "retained",     # on duty, held past the end of the contract term (C1)
    "hospital",     # wounded, in treatment
    "on_leave",     # at home on leave: rotation leave, or convalescence after treatment
    "at_large",     # absent without leave, not yet back
    "detained",     # caught, back of his own will, or refusing to deploy: held until sent on or to prison
    "imprisoned",   # sentenced to real time (absorbing within the horizon)
    "released",     # left the force legally: at term end, or discharged wounded
    "killed",       # died on duty or while absent
    "escaped",      # beyond reach (crossed to the exit region)
)
SERVING, RETAINED, HOSPITAL, ON_LEAVE, AT_LARGE, DETAINED, IMPRISONED, RELEASED, KILLED, ESCAPED = range(10)

ROLES = ("rear", "line", "assault")
REAR, LINE, ASSAULT = range(3)

CHANNELS = ("volunteer", "mobilised", "detainee")
VOLUNTEER, MOBILISED, DETAINEE = range(3)

DESTINATIONS = ("home", "exit")
HOME, EXIT = range(2)

# How an absence begins (M3). The first three are absences (at large); a refusal to
# deploy goes straight to detention. On leave, the same codes say which leave it is:
# LEAVE a rotation leave, TREATMENT a convalescence after hospital.
PATHWAYS = ("line", "leave", "treatment", "refusal")
LINE_PATHWAY, LEAVE, TREATMENT, REFUSAL = range(4)
ABSENCE_PATHWAYS = PATHWAYS[:3]

# How an absence ends (M5, M6).
ENDINGS = ("search", "police", "checkpoint", "returned", "died", "escaped")
BY_SEARCH, BY_POLICE, BY_CHECKPOINT, RETURNED, DIED, ESCAPED_ABROAD = range(6)

# Days at large at the end of an absence, binned at the criminal code's tiers for absence
# (2-10 days, 10 days to a month, over a month) and longer: [0, 3), [3, 11), [11, 31),
# [31, 91), [91, 181), [181, ...).
DURATION_EDGES = (3, 11, 31, 91, 181)
DURATIONS = ("0-2", "3-10", "11-30", "31-90", "91-180", "181+")

# Sentence decided when detention begins (M6): what happens when it ends.
NOT_PROSECUTED, SUSPENDED, PRISON = range(3)

# Every transition the model allows, as (from, to). Engines tally each one daily
# (`model.tallies`); the conservation test checks every stock against these flows.
TRANSITIONS = (
    (SERVING, RELEASED),    # M1 release at term end
    (SERVING, RETAINED),    # M1 not released at term end
    (SERVING, KILLED), (RETAINED, KILLED),          # M2
    (SERVING, HOSPITAL), (RETAINED, HOSPITAL),      # M2
    (HOSPITAL, SERVING), (HOSPITAL, RETAINED),      # M2 back from treatment
    (HOSPITAL, RELEASED),                           # M2 discharge
    (HOSPITAL, ON_LEAVE),                           # M2 convalescence at home
    (SERVING, ON_LEAVE), (RETAINED, ON_LEAVE),      # M2 rotation leave
    (ON_LEAVE, SERVING), (ON_LEAVE, RETAINED),      # M2 back from leave
    (SERVING, AT_LARGE), (RETAINED, AT_LARGE),      # M3 leaves from the line
    (HOSPITAL, AT_LARGE), (ON_LEAVE, AT_LARGE),     # M3 does not return after treatment or leave
    (HOSPITAL, DETAINED), (ON_LEAVE, DETAINED),     # M3 refuses to deploy again
    (AT_LARGE, DETAINED),   # M5, M6 caught by search, police or a checkpoint, or back of his own will
    (AT_LARGE, KILLED),     # died while absent
    (AT_LARGE, ESCAPED),    # M5 reached the exit
    (DETAINED, SERVING), (DETAINED, RETAINED),      # M6 returned to the front
    (DETAINED, IMPRISONED),                         # M6
)
