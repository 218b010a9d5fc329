"""Compose profiles do not make the lint vacuous (issue 18, class 4): every profile is linted by
default, the report says which services sit behind which profile, and choosing profiles leaves the
others out by name (the raw-YAML rules included)."""

from __future__ import annotations

import pytest

from infra.compose.lint import compose_files, lint
from infra.compose.policy import POLICIES
from infra.errors import HarnessError
from tests.compose.test_scenarios import ENV, SCENARIOS

pytestmark = [pytest.mark.compose]
PROFILED = compose_files(SCENARIOS / "clean" / "profiled-services" / "docker-compose.yml")


def test_every_profile_is_linted_and_named():
    report = lint(PROFILED, POLICIES["service"], ENV)
    assert report.services == 3
    assert report.behind_profiles == {"postgres": ("database",), "redis": ("full",), "minio": ("full",)}
    assert report.not_linted == ()


def test_chosen_profiles_name_what_they_leave_out():
    broken = compose_files(SCENARIOS / "all-services-behind-profiles" / "docker-compose.yml")
    everything = lint(broken, POLICIES["dev-stack"], ENV)
    assert any(j.finding.service == "redis" for j in everything.findings)
    report = lint(PROFILED, POLICIES["dev-stack"], ENV, profiles=["database"])
    assert report.services == 1
    assert report.not_linted == ("minio", "redis")
    assert not [j for j in report.findings if j.finding.service in ("minio", "redis")]


def test_a_profile_no_service_uses_is_one_line():
    with pytest.raises(HarnessError, match="profile nope is not used by any service") as caught:
        lint(PROFILED, POLICIES["service"], ENV, profiles=["nope"])
    assert "database, full" in caught.value.hint
