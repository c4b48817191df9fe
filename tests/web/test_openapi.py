"""schemathesis against the app's own OpenAPI schema: no 5xx, and every response as the schema says.

The examples are generated from the schema (valid and invalid bodies, paths and queries) and
sent in-process (ASGI); the job worker is off, so queued jobs never run. Bounded: at most
`EXAMPLES` cases per operation, derandomized so that a run is repeatable.
"""

from __future__ import annotations

import os
import tempfile

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from awol.web.app import create_app

EXAMPLES = int(os.environ.get("AWOL_FUZZ_EXAMPLES", 12))  # `make fuzz` raises it
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


STORE = tempfile.mkdtemp(prefix="awol-openapi-")  # loaded at collection, as schemathesis needs
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(STORE, start_worker=False))


@pytest.mark.slow
@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_no_server_error_and_responses_match_the_schema(case):
    case.call_and_validate(checks=CHECKS)
