"""Files the user names on the command line (a workflow definition, a document to extract from)
that are not regular files: a FIFO (reading it would block for ever), a device, a folder, a
path with a NUL byte.  Each is a Chinese error, exit 2, at once — never a hang or a traceback.
Control characters from such values are shown escaped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xuncha_kb.cli import cli
from xuncha_kb.errors import InputError, printable

pytestmark = pytest.mark.timeout(20)  # a FIFO that is opened blocks: fail fast instead


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "定义.md"
    os.mkfifo(path)
    return path


def _commands(target: str, graph: Path) -> list[list[str]]:
    return [["workflow", "check", target], ["workflow", "extract", target],
            ["scaffold", str(graph), "--unit", "甲公司", "--round", "2026年第二轮", "--workflow", target],
            ["scaffold-plan", str(graph), "--year", "2027", "--workflow", target]]


@pytest.mark.parametrize("which", range(4), ids=["check", "extract", "scaffold", "scaffold-plan"])
def test_a_fifo_is_refused_without_being_opened(which: int, fifo: Path, example_graph: Path, runner) -> None:
    r = runner.invoke(cli, _commands(str(fifo), example_graph)[which])
    assert r.exit_code == 2, r.output
    assert f"{fifo}: " in r.output and "命名管道" in r.output and "不是普通文件" in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("which", range(4), ids=["check", "extract", "scaffold", "scaffold-plan"])
def test_a_nul_in_the_path_is_an_input_error(which: int, example_graph: Path, runner) -> None:
    """click itself rejects it (its usage message; only the exit code and our reason are asserted)."""
    r = runner.invoke(cli, _commands("def\x00.md", example_graph)[which])
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "NUL" in r.output and "Traceback" not in r.output


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_a_device_is_not_a_definition(runner) -> None:
    r = runner.invoke(cli, ["workflow", "check", "/dev/null"])
    assert r.exit_code == 2 and "设备文件" in r.output


def test_the_current_folder_is_not_a_definition(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["workflow", "check", ""])
    assert r.exit_code == 2 and "文件夹" in r.output


def test_control_characters_are_escaped_when_shown() -> None:
    text = InputError("名称“a\x1b[31mb\x00”无效\n第二行", file="x\ty").render()
    assert "\x1b" not in text and "\x00" not in text and "\t" not in text
    assert "a\\x1b[31mb\\x00" in text and "x\\ty" in text and "\n第二行" in text
    assert printable("普通文本") == "普通文本"
    assert printable("a\x85b\u202ec\udcffd") == "a\\x85b\\u202ec\\udcffd"  # C1, bidi override, surrogate


def _definition_as(suffix: str) -> str:
    """The built-in definition written as a page of the kind ``suffix`` names."""
    from dataclasses import replace

    from xuncha_kb.generate.org_render import render_org_page
    from xuncha_kb.workflow.load import default_workflow
    from xuncha_kb.workflow.write import definition_spec, render_definition

    wf = default_workflow()
    if suffix == ".org":
        return render_org_page(replace(definition_spec(wf), name="定义"))
    return render_definition(wf)


@pytest.mark.parametrize("which", range(4), ids=["check", "extract", "scaffold", "scaffold-plan"])
def test_the_hint_names_every_kind_of_page_accepted_and_each_is(which: int, tmp_path: Path,
                                                                  example_graph: Path, runner) -> None:
    """Org pages are definitions too (issue 16): the hint after a refused file names .md and .org,
    and a definition written as each kind it names is accepted (``workflow extract`` reads it as
    a document, the others as a definition)."""
    import re

    fifo = tmp_path / "定义.org"
    os.mkfifo(fifo)
    r = runner.invoke(cli, _commands(str(fifo), example_graph)[which])
    assert r.exit_code == 2, r.output
    hint = r.output.rsplit("命名管道", 1)[1]
    named = set(re.findall(r"\.(?:md|org|markdown|edn|json)\b", hint))
    assert {".md", ".org"} <= named, hint
    for suffix in sorted(named & {".md", ".org", ".markdown"}):
        page = tmp_path / f"ok{suffix}"
        page.write_text(_definition_as(suffix), encoding="utf-8")
        ok = runner.invoke(cli, ["workflow", "extract" if which == 1 else "check", str(page)])
        assert ok.exit_code == 0 and ("定义有效" in ok.output or which == 1), (suffix, ok.output)
