"""`manage.py poll`: one pass with --once; otherwise until SIGTERM/SIGINT, finishing the pass."""

from __future__ import annotations

import os
import signal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command, get_commands

from studio.generations.poller import PassReport, PollerConfig


def test_runstudio_finds_the_command() -> None:
    assert get_commands()["poll"] == "studio.generations"


def test_once_runs_a_single_pass(make_generation: Any, scripted_api: Any, settings: Any) -> None:
    settings.LUMA_AGENTS_API_KEY = "luma-api-scripted"
    generation = make_generation(api_base_url=f"{scripted_api.url}/v1")
    out = StringIO()
    call_command("poll", "--once", stdout=out)
    assert "claimed 1, polled 1, errors 1" in out.getvalue()
    assert generation.events.filter(kind="retry").count() == 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_lets_the_pass_finish_then_exits(
    db: None, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    passes: list[str] = []

    def fake_pass(config: PollerConfig) -> PassReport:
        passes.append("started")
        if passes.count("started") == 3:
            os.kill(os.getpid(), signum)  # arrives in the middle of this pass
        passes.append("finished")
        # A full batch: the loop goes straight on to the next pass unless told to stop.
        return PassReport(claimed=config.batch)

    monkeypatch.setattr("studio.generations.management.commands.poll.poll_once", fake_pass)
    before = signal.getsignal(signum)
    out = StringIO()
    call_command("poll", "--batch", "5", stdout=out)
    assert passes == ["started", "finished"] * 3
    assert out.getvalue().strip().endswith("Poller stopped.")
    assert signal.getsignal(signum) is before
