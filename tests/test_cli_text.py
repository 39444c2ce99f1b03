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


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "xuncha-kb" for c in COMMANDS])
def test_help_shows_an_example(command: tuple[str, ...]) -> None:
    text = CliRunner().invoke(cli, [*command, "--help"]).output
    examples = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("示例：")]
    assert examples and examples[0].startswith("示例：xuncha-kb "), text


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
    (["reprt"], ("没有命令",)),
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


#: Messages only a programmer sees (bad decorators, deprecation notes, shell completion, the
#: editor, Windows consoles, colour names) or that we never use.
DEVELOPER_ONLY = {
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Could not determine name for option with declarations {decls!r}",
    "Name '{name}' defined twice",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
    "{text} {deprecated_message}", "Choice({choices})", "Confirm the action without prompting.",
    "Couldn't detect Bash version, shell completion is not supported.",
    "Shell completion is not supported for Bash versions older than 4.4.",
    "Unknown color {colour!r}", "Unknown standard stream '{name}'", "Windows error: {error}", "d",
    "{editor}: Editing failed", "{editor}: Editing failed: {e}",
}


def _library_messages() -> set[str]:
    """Every gettext message id in the installed click's source (``_("…")`` and ngettext)."""
    out: set[str] = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        source = path.read_text("utf-8")
        for m in re.finditer(r'\b_\(\s*((?:"[^"]*"\s*)+)\)', source):
            out.add("".join(re.findall(r'"([^"]*)"', m.group(1))))
        for m in re.finditer(r'ngettext\(\s*((?:"[^"]*"\s*)+),\s*((?:"[^"]*"\s*)+),', source):
            out.update("".join(re.findall(r'"([^"]*)"', g)) for g in m.groups())
    return {m.encode().decode("unicode_escape") if "\\" in m else m for m in out}


def test_every_message_a_user_can_see_is_translated() -> None:
    """A message click adds or rewords (a new release) fails here until it has its Chinese."""
    found = _library_messages()
    assert len(found) > 40  # the scan works
    missing = sorted(found - set(CATALOG) - DEVELOPER_ONLY)
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
