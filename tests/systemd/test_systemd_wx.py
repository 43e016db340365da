"""MemoryDenyWriteExecute=yes in the unit is safe: ctypes callbacks and libmpv work under W^X.

The kernel's PR_SET_MDWE (Linux >= 6.3) refuses the same things systemd's filter does (a mapping
both writable and executable, or a mapping later made executable), so a child process that turns
it on before importing python-mpv is a faithful stand-in for the sandbox.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.mpv

CHILD = textwrap.dedent(
    """
    import ctypes, mmap, sys
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
        sys.exit(77)
    try:
        mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except OSError:
        pass
    else:
        sys.exit("W^X is not enforced")
    doubled = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: 2 * x)
    through_c = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(ctypes.cast(doubled, ctypes.c_void_p).value)
    assert through_c(21) == 42
    import mpv
    player = mpv.MPV(ao="null", vo="null")
    player.play("av://lavfi:sine=frequency=440:duration=0.3")
    player.wait_for_playback(timeout=15)
    player.terminate()
    print("ok")
    """
)


def test_ctypes_callbacks_and_libmpv_work_under_wx() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode == 77:
        pytest.skip("kernel has no PR_SET_MDWE (needs Linux 6.3+)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
