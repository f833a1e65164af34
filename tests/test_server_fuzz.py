"""The server's OpenAPI schema fuzzed with schemathesis (issue 26): no request it can be sent gets a 500.

Every operation in ``/spec`` is called with requests generated from its schema (schemathesis's strategies
under hypothesis: valid and not, wrong types, missing fields, odd Unicode), against a live ``tarjama serve``
on loopback.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from serving import serving

EXAMPLES = 25
"""Requests generated per operation."""


def test_no_generated_request_gets_a_server_error(model_dir: Path, tmp_path: Path) -> None:
    with serving(model_dir, "--no-cache", "--no-reader", "--char-limit", "400", log=tmp_path / "log") as server:
        schema = schemathesis.openapi.from_url(server.url + "/spec")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 10
        seen: dict[int, int] = {}
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=True,  # the same requests on every run: CI checks what was checked here
            )
            def call(case) -> None:
                response = case.call(timeout=120)
                seen[response.status_code] = seen.get(response.status_code, 0) + 1
                case.validate_response(response, checks=[not_a_server_error])
                if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                    error = response.json().get("error")
                    assert isinstance(error, str) and "Traceback" not in error

            call()
    assert seen.get(200) and any(400 <= status < 500 for status in seen)  # both kinds were sent
