"""The CLI entry points behave for graph errors: exit code 3, a Chinese message, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from xuncha_kb.cli import cli


def run_module(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("XUNCHA_GRAPH", None)
    return subprocess.run([sys.executable, "-m", "xuncha_kb", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=60)


def test_python_m_help_works() -> None:
    proc = run_module("--help")
    assert proc.returncode == 0, proc.stderr
    assert "stats" in proc.stdout and "xuncha-kb" in proc.stdout


def test_graph_not_found_exit_code_3_without_traceback(tmp_path: Path) -> None:
    proc = run_module("stats", str(tmp_path / "没有这个目录"))
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert "错误：" in proc.stderr and "没有这个目录" in proc.stderr and "不存在" in proc.stderr


def test_not_a_graph_from_cwd(tmp_path: Path) -> None:
    proc = run_module("stats", cwd=tmp_path)  # no GRAPH, no $XUNCHA_GRAPH: the current directory
    assert proc.returncode == 3
    assert "不是 Logseq 图谱" in proc.stderr and "Traceback" not in proc.stderr


def test_graph_not_found_in_process(runner, tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    result = runner.invoke(cli, ["stats", str(tmp_path / "file.txt")])
    assert result.exit_code == 3
    assert "不是目录" in result.output
