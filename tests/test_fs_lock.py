"""The graph lock: exclusive across processes, re-entrant within one, GraphBusy on timeout."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from xuncha_kb.errors import GraphBusy
from xuncha_kb.fs.lock import graph_lock
from xuncha_kb.fs.state import lock_path, state_dir

HOLDER = """
import sys, time
from pathlib import Path
from xuncha_kb.fs.lock import graph_lock
with graph_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_state_dir_is_hidden_folder(tmp_path: Path) -> None:
    assert state_dir(tmp_path) == tmp_path / ".xuncha"
    assert lock_path(tmp_path) == tmp_path / ".xuncha" / "lock"


def test_reentrant_in_one_process(tmp_path: Path) -> None:
    with graph_lock(tmp_path, timeout=0.1), graph_lock(tmp_path, timeout=0.1):
        assert lock_path(tmp_path).exists()
    # released: can take it again
    with graph_lock(tmp_path, timeout=0.1):
        pass


def test_other_process_holding_lock_means_busy(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), "3"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(GraphBusy) as info, graph_lock(tmp_path, timeout=0.3):
            pass
        assert info.value.exit_code == 6
        assert time.monotonic() - start >= 0.25
        assert "进程" in info.value.message
    finally:
        proc.kill()
        proc.wait()
    # the holder is gone: the lock is free again
    with graph_lock(tmp_path, timeout=1.0):
        pass
