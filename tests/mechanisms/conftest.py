"""Order of the behavioural tests: every cohort-engine test before any agent-engine variant.

Both engines run the same checks; the agent engine's are the cross-check. `make mutants` stops
at the first failure with a fresh Numba cache per mutant, so running the agent variants last
means a mutation caught by a cohort test never pays for compiling the agent engine. Only this
package's tests are reordered, among the places they already hold.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def on_agents(item) -> bool:
    spec = getattr(item, "callspec", None)
    return spec is not None and "agents" in spec.id


def pytest_collection_modifyitems(items):
    places = [i for i, item in enumerate(items) if HERE in Path(item.fspath).resolve().parents]
    ours = sorted((items[i] for i in places), key=on_agents)
    for i, item in zip(places, ours, strict=True):
        items[i] = item
