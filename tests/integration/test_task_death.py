"""Acceptance 4 of issue 12: a critical task that dies ends the real service with a non-zero status,
logged with the task's name (systemd then restarts it); a non-critical one only logs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from player.wiring import CRITICAL_TASKS
from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.mpv


def dying(root: Path, task: str) -> ServiceProcess:
    trigger = root / "die-now"
    env = {"TAPEDECK_DYING_TASK": task, "TAPEDECK_DYING_TRIGGER": str(trigger)}
    return ServiceProcess(root, module="tests.integration.dying_task", env=env)


@pytest.mark.parametrize("task", [*CRITICAL_TASKS, "downloads-scheduler"])
def test_a_critical_task_dying_ends_the_service_non_zero(tmp_path: Path, task: str) -> None:
    service = dying(tmp_path / "svc", task).start()
    assert service.process is not None
    try:
        (service.root / "die-now").touch()
        code = service.process.wait(20.0)
    except subprocess.TimeoutExpired:
        service.kill()
        raise AssertionError(f"still running after {task} died:\n{service.log_tail()}") from None
    log = service.log_path.read_text(encoding="utf-8")
    assert code == 1, log
    assert f"background task {task} died" in log
    assert f"stopping because {task}: InjectedFailureError('injected failure')" in log


def test_a_non_critical_task_dying_is_logged_and_the_service_plays_on(tmp_path: Path) -> None:
    with dying(tmp_path / "svc", "play-reporting") as service:
        (service.root / "die-now").touch()
        service.wait_until(lambda: "background task play-reporting died" in service.log_tail())
        assert service.running
        assert service.request("GET", "/api/v1/health")[0] == 200
    assert service.process is not None and service.process.returncode == 0
