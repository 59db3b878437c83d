"""The postgres, worker and browser markers: skip locally, fail under CI."""

import pytest

from tests.fixtures import database

pytest_plugins = ["pytester"]

MARKED_TEST = """
import pytest

@pytest.mark.postgres
def test_locks_stock():
    pass
"""


def run_marked_test(pytester, monkeypatch, *, available):
    monkeypatch.setattr(database, "service_available", lambda marker: available)
    pytester.makepyfile(test_marked=MARKED_TEST)
    return pytester.runpytest_inprocess(
        "-p", "no:django", "-p", "no:cacheprovider", "-p", "tests.fixtures.database"
    )


def test_missing_service_skips_with_reason(pytester, monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    result = run_marked_test(pytester, monkeypatch, available=False)

    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*- 1 skipped: needs PostgreSQL's row locks; "
            "set DATABASE_URL=postgres://... -*",
            "test_marked.py::test_locks_stock",
        ]
    )


def test_missing_service_fails_under_ci(pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")

    result = run_marked_test(pytester, monkeypatch, available=False)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*CI=true and this test needs PostgreSQL's row locks*"]
    )


def test_available_service_runs_test(pytester, monkeypatch):
    monkeypatch.setenv("CI", "true")

    result = run_marked_test(pytester, monkeypatch, available=True)

    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("TRUE", True), ("", False), ("false", False)],
)
def test_running_under_ci_reads_env(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)

    assert database.running_under_ci() is expected
