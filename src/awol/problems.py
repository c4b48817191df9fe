"""One exception for input that cannot be used: it carries every problem, one line each.

Layers raise a subclass (bad designs, data, posteriors, calibrations, cohort sizes);
the CLI prints `problems` and exits 2, the web answers 422. Collecting all problems
before raising lets a user fix a file in one pass.
"""

from __future__ import annotations


class ProblemsError(Exception):
    """`problems`: one line per problem, naming the field, the value and what is allowed."""

    separator = "\n"

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(self.separator.join(self.problems))

    def __reduce__(self):
        # Rebuilt from its problems, not from the joined message, when it crosses from a
        # worker process (pickle would otherwise split the message into characters).
        return type(self), (self.problems,)
