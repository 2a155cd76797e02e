"""`manage.py send`: one pass with --once; a stop signal lets the pass finish, then exits."""

from __future__ import annotations

import os
import signal
from io import StringIO

import pytest
from django.core.management import call_command

from studio.generations.sender import SenderConfig, SendReport


def test_once_runs_a_single_pass(db: None) -> None:
    out = StringIO()
    call_command("send", "--once", stdout=out)
    assert out.getvalue().startswith("sent 0, rate limited 0, refused 0")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_lets_the_pass_finish_then_exits(
    db: None, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    passes: list[str] = []

    def fake_pass(config: SenderConfig) -> SendReport:
        passes.append("started")
        if passes.count("started") == 3:
            os.kill(os.getpid(), signum)  # arrives in the middle of this pass
        passes.append("finished")
        return SendReport(sent=1)  # work done: straight on to the next pass

    monkeypatch.setattr("studio.generations.management.commands.send.send_once", fake_pass)
    before = signal.getsignal(signum)
    out = StringIO()
    call_command("send", stdout=out)
    assert passes == ["started", "finished"] * 3
    assert out.getvalue().strip().endswith("Sender stopped.")
    assert signal.getsignal(signum) is before
