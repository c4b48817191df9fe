"""Mechanisms M1-M8 of BRIEF.md: pure vectorised functions, state arrays in, rates out.

Nothing here knows about engines, files or plots. `rates.py` assembles one day's
rate tables from a scenario and the aggregate state; both engines consume them.
"""
