"""Every message the command line prints reads in Chinese: help pages, usage errors, click's
own option errors — and the help lines up with Chinese text in it."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from xuncha_kb.cli import cli
from xuncha_kb.cli_text import CATALOG, display_width, wrap

ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message and exit.", "Show the version", "[default:",
           "[OPTIONS]", "COMMAND [ARGS]", "TEXT", "INTEGER", "FLOAT", "PATH", "Error:", "Try '",
           "Invalid value", "No such", "Missing", "is not one of", "does not exist", "is a directory",
           "requires an argument", "Got unexpected")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


COMMANDS = _commands(cli)


def _no_english(text: str) -> None:
    found = [w for w in ENGLISH if w in text]
    assert not found, f"English usage words {found} in:\n{text}"


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "xuncha-kb" for c in COMMANDS])
def test_help_is_chinese(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("用法： xuncha-kb") and "选项:" in text and "显示本帮助并退出。" in text
    _no_english(text)


def test_every_command_is_covered() -> None:
    assert len(COMMANDS) >= 12  # the group, 9 commands, the workflow group and its 3 commands


@pytest.mark.parametrize("args, words", [
    (["report", "--redact", "foo"], ("'--redact' 的值无效", "'foo' 不是可用的值")),
    (["report", "--format", "pdf"], ("'--format' 的值无效",)),
    (["report", "--yellow-days", "abc"], ("不是有效的数字",)),
    (["report", "--red-days", "-1"], ("不在范围",)),
    (["report", "--today"], ("需要一个值",)),
    (["report", "--no-such-option"], ("没有选项",)),
    (["report", "--writ"], ("没有选项", "--write")),
    (["reprt"], ("没有命令", "report")),
    (["workflow"], ("用法：",)),
    (["workflow", "frobnicate"], ("没有命令",)),
    (["workflow", "check"], ("缺少参数",)),
    (["stats", "a", "b"], ("多余的参数",)),
    (["scaffold-plan", "--year", "二〇二六"], ("不是有效的数字",)),
    (["watch", "--timeout", "soon"], ("不是有效的数字",)),
    (["--version"], ("xuncha-kb，版本",)),
])
def test_usage_errors_are_chinese(args: list[str], words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, args)
    text = result.output
    assert result.exit_code in (0, 2), text
    assert "Traceback" not in text
    for w in words:
        assert w in text, (w, text)
    _no_english(text)
    if result.exit_code == 2 and args != ["workflow"]:
        assert "错误：" in text


def test_a_folder_given_as_a_file_is_chinese(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["workflow", "check", str(tmp_path)])
    assert result.exit_code == 2
    assert "是文件夹，不是文件" in result.output
    _no_english(result.output)


def test_catalog_keys_are_the_library_s_messages() -> None:
    """A key that no longer occurs in click's source is a message click renamed: translate anew."""
    source = "\n".join(p.read_text("utf-8") for p in Path(click.__file__).parent.glob("*.py"))
    flat = re.sub(r'"\s*\n\s*"', "", source)  # implicit concatenation across lines
    missing = [k for k in CATALOG if repr(k)[1:-1] not in flat and k not in flat]
    assert not missing, missing


def test_catalog_keeps_every_placeholder() -> None:
    for key, value in CATALOG.items():
        placeholders = set(re.findall(r"\{[^}]*\}|%\([^)]*\)s", key))
        kept = set(re.findall(r"\{[^}]*\}|%\([^)]*\)s", value))
        # A translation may leave out an English word that is formatted in (number_type), nothing else.
        assert kept <= placeholders and (placeholders - kept) <= {"{number_type}"}, key


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("巡察") == 4
    assert display_width("组员A，") == 7


def test_closing_punctuation_never_starts_a_line() -> None:
    lines = wrap("一二三四五，六七", 10)
    assert lines == ["一二三四五，", "六七"]


@given(st.text(alphabet=st.sampled_from(list("巡察组abc 12，。")), max_size=80), st.integers(4, 40))
def test_wrap_keeps_the_text_and_the_width(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert "".join("".join(lines).split()) == "".join(text.split())
    for line in lines:
        # Over the width only by closing punctuation kept on its line, or by one long word.
        body = line.rstrip("，。、；：？！）」』》”’】 ")
        assert display_width(body) <= width or len(body.split()) <= 1, (line, width)
