"""The one progress hook: a callable `progress(done, total)`.

Engines call it after each day, experiment runners after each run; the CLI shows
it as a Rich bar, the web app stores it on the job, a notebook gets a Rich bar too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[int, int], None]


@contextmanager
def rich_progress(description: str, *, transient: bool = False) -> Iterator[Progress]:
    """A Rich progress bar (terminal or notebook) behind the progress hook."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=transient,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
