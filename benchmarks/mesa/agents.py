"""The soldier agent of the reference model (benchmarks/reference/DECLARATION.md), in Mesa 3.

One `Soldier` per soldier. Each day he draws one uniform `u` and undergoes at most one
event, the competing events of his status taken in the declared order; further
uniforms decide the details (assault role, destination, sentence, discharge).
Soldiers who leave for good (killed, released, imprisoned, escaped) are tallied by
the model and removed, as Mesa models do with dead agents.
"""

from __future__ import annotations

from enum import Enum

import mesa


class Status(Enum):
    SERVING = 0
    RETAINED = 1
    HOSPITAL = 2
    AT_LARGE = 3
    DETAINED = 4
    IMPRISONED = 5
    RELEASED = 6
    KILLED = 7
    ESCAPED = 8


class Sentence(Enum):
    NONE = 0
    SUSPENDED = 1
    PRISON = 2


ASSAULT = 2  # roles are 0 rear, 1 line, 2 assault


class Soldier(mesa.Agent):
    """A contract soldier: on duty, in hospital, at large, or detained."""

    def __init__(self, model, role: int, unit: int, contract_end: int, tolerance: float):
        super().__init__(model)
        self.status = Status.SERVING
        self.role = role
        self.unit = unit
        self.front = model.unit_front[unit]   # his unit's front region
        self.region = self.front
        self.contract_end = contract_end      # day his term ends
        self.retained = False                 # held past term (the M1 decision was "not released")
        self.tolerance = tolerance            # personal factor exp(β_tol (τ − ½))
        self.destination = None               # "home" or "exit" while at large
        self.sentence = Sentence.NONE

    def step(self) -> None:
        u = self.random.random()
        status = self.status
        if status is Status.SERVING or status is Status.RETAINED:
            self.on_duty(u)
        elif status is Status.HOSPITAL:
            self.in_hospital(u)
        elif status is Status.AT_LARGE:
            self.at_large(u)
        elif status is Status.DETAINED:
            self.in_detention(u)

    # ------------------------------------------------------------- statuses

    def on_duty(self, u: float) -> None:
        m = self.model
        if self.status is Status.SERVING and m.day >= self.contract_end:
            self.term_ends(u)
            return
        death = m.death[self.role]
        wound = m.wound[self.role]
        hazard = min(1.0, m.desertion[self.status][self.role] * self.tolerance)
        if u < death:
            m.deaths += 1
            self.leave(Status.KILLED)
        elif u < death + wound:
            m.wounds += 1
            self.status = Status.HOSPITAL
        elif u < death + wound + (1.0 - death - wound) * hazard:
            self.desert()

    def term_ends(self, u: float) -> None:
        """M1: released with probability p_release, otherwise retained past term."""
        m = self.model
        if u < m.release:
            m.released_at_term += 1
            self.leave(Status.RELEASED)
        else:
            m.retained_at_term += 1
            self.status = Status.RETAINED
            self.retained = True
            if self.random.random() < m.assault_retained:
                self.role = ASSAULT

    def in_hospital(self, u: float) -> None:
        """M2: leaves hospital, discharged or back on duty (nobody deserts from hospital)."""
        m = self.model
        if u < m.recover:
            if self.random.random() < m.discharge:
                self.leave(Status.RELEASED)
            else:
                self.back_on_duty()

    def at_large(self, u: float) -> None:
        m = self.model
        found = m.found[self.region]          # search units, or police at home
        back, move = m.voluntary_return, m.move
        if u < found:
            if self.region in m.homes:
                m.captures_police += 1
            else:
                m.captures_search += 1
            self.detain()
        elif u < found + (1.0 - found) * back:
            m.voluntary_returns += 1
            self.detain()
        elif u < found + (1.0 - found) * (back + (1.0 - back) * move):
            self.move()

    def in_detention(self, u: float) -> None:
        m = self.model
        if u < m.detention_end:
            if self.sentence is Sentence.PRISON:
                self.leave(Status.IMPRISONED)
                return
            m.returned_to_front += 1
            self.back_on_duty()
            if self.random.random() < m.assault_returned:
                self.role = ASSAULT

    # ------------------------------------------------------------- events

    def back_on_duty(self) -> None:
        """Back with his unit: retained if his term was decided, serving otherwise."""
        self.status = Status.RETAINED if self.retained else Status.SERVING
        self.region = self.front

    def desert(self) -> None:
        """M3: leaves from the line for at large, heading for the exit or for home."""
        m = self.model
        m.new_desertions += 1
        self.status = Status.AT_LARGE
        self.destination = "exit" if self.random.random() < m.exit_share else "home"

    def move(self) -> None:
        """M5: one step along the shortest route to his destination (no checkpoints)."""
        m = self.model
        there = m.next_hop[self.destination][self.region]
        if there == self.region:
            return
        if there in m.exits:
            m.escapes += 1
            self.leave(Status.ESCAPED)
        else:
            self.region = there

    def detain(self) -> None:
        """M6: caught or back of his own will; the sentence is decided now."""
        m = self.model
        self.status = Status.DETAINED
        v = self.random.random()
        if v < m.imprison:
            self.sentence = Sentence.PRISON
        elif v < m.prosecute:
            self.sentence = Sentence.SUSPENDED
        else:
            self.sentence = Sentence.NONE

    def leave(self, status: Status) -> None:
        """Leave the force for good: tallied by the model, removed from it."""
        self.model.absorbed[status] += 1
        self.remove()
