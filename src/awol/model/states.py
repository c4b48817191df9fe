"""The discrete states a soldier can be in, and the transitions between them.

Codes are small integers so that engines can keep them in int8 arrays; the tuples
give their names, in code order, for outputs and reports.
"""

STATUSES = (
    "serving",      # on duty, within contract term (or mobilised: no term)
    "retained",     # on duty, held past the end of the contract term (C1)
    "hospital",     # wounded, recovering
    "at_large",     # deserted, not yet caught
    "detained",     # captured (or surrendered), awaiting return or prison
    "imprisoned",   # sentenced to real time (absorbing within the horizon)
    "released",     # left the force legally: at term end, or discharged wounded
    "killed",
    "escaped",      # beyond reach of pursuit (crossed to the exit region)
)
SERVING, RETAINED, HOSPITAL, AT_LARGE, DETAINED, IMPRISONED, RELEASED, KILLED, ESCAPED = range(9)

ROLES = ("rear", "line", "assault")
REAR, LINE, ASSAULT = range(3)

CHANNELS = ("volunteer", "mobilised", "detainee")
VOLUNTEER, MOBILISED, DETAINEE = range(3)

DESTINATIONS = ("home", "exit")
HOME, EXIT = range(2)

# Sentence decided at capture (M6): what happens when detention ends.
NOT_PROSECUTED, SUSPENDED, PRISON = range(3)

# Every transition the model allows, as (from, to). Engines tally each one daily
# (`model.tallies`); the conservation test checks every stock against these flows.
TRANSITIONS = (
    (SERVING, RELEASED),    # M1 release at term end
    (SERVING, RETAINED),    # M1 not released at term end
    (SERVING, KILLED), (RETAINED, KILLED),          # M2
    (SERVING, HOSPITAL), (RETAINED, HOSPITAL),      # M2
    (HOSPITAL, SERVING), (HOSPITAL, RETAINED),      # M2 recovery
    (HOSPITAL, RELEASED),                           # M2 discharge
    (SERVING, AT_LARGE), (RETAINED, AT_LARGE), (HOSPITAL, AT_LARGE),  # M3
    (AT_LARGE, DETAINED),   # M5 capture by checkpoint or search, or surrender
    (AT_LARGE, ESCAPED),    # M5 reached the exit
    (DETAINED, SERVING), (DETAINED, RETAINED),      # M6 returned to the front
    (DETAINED, IMPRISONED),                         # M6
)

