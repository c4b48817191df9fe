"""The answers the page opens on (Q1-Q6), served from the file computed ahead (`awol.evidence.answers`).

The file is read and its stamp checked once per process: the page gets them in
milliseconds, and a stale file (posterior, scenarios or model code changed since it
was computed) is served with the reasons and the command that rebuilds it, never as
a current answer.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, HTTPException

from awol.evidence import answers as computed

router = APIRouter()
REBUILD = "make answers"


@lru_cache(maxsize=4)
def shipped(name: str = computed.REFERENCE) -> dict | None:
    """The answers file of `name` with `stale` (reasons, empty when current) and `rebuild` added; None if absent."""
    doc = computed.read(computed.answers_path(name))
    if doc is None:
        return None
    try:
        current = computed.stamp(name)
    except Exception as exc:  # noqa: BLE001  (a missing posterior or scenario is itself a reason to rebuild)
        reasons = [f"cannot check the answers against the current files: {exc}"]
    else:
        reasons = computed.stale_reasons(doc.get("stamp", {}), current)
    return {**doc, "stale": reasons, "rebuild": REBUILD}


@router.get("/api/answers", summary="The answers to Q1-Q6 computed ahead at full scale, with their intervals")
def answers() -> dict:
    """GET /api/answers: the shipped answers with their staleness, or 404 saying how to build them."""
    doc = shipped()
    if doc is None:
        raise HTTPException(404, detail=f"no answers file shipped ({computed.answers_path()}); run `{REBUILD}`")
    return doc
