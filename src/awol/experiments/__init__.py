"""Experiments at scale: designs (design.py) → execution (execution.py) → analysis (analysis.py).

`api.py` joins them into `ensemble`, `sweep`, `sensitivity` and `compare`, which the
CLI (`awol.cli.experiments`) and notebooks share.
"""
