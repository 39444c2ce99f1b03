"""Chinese for the command-line library's own messages: usage lines, help headings, option
errors.

The library marks every message it prints with gettext (``_("Usage:")``); ``cli.py`` routes those
look-ups here, so a usage error or a help page reads in Chinese like every other message of
xuncha-kb.  Keys are the library's message ids, verbatim, placeholders included;
``tests/test_cli_text.py`` checks that every message id in the installed library's source
that a user can see has an entry, so a renamed or new message is caught the day the library
changes it; entries for the wording of older releases stay for the supported lower bound.
A message without an entry is shown as the library wrote it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

CATALOG: dict[str, str] = {
    # help pages
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Choose from:\n\t{choices}": "可选值：\n\t{choices}",
    # errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Aborted!": "已中止。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Did you mean {possibility}?": "是不是要用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是要用其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "{value!r} is not {choice}.": "{value!r} 不是可用的值，只能是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是可用的值，可选：{choices}。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是有效的是/否值，可用：{states}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "{len_type} values are required, but {len_value} was given.":
        "需要 {len_type} 个值，给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.":
        "需要 {len_type} 个值，给了 {len_value} 个。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats} 中的任何一种。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "Value must be an iterable.": "值必须是一组值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    # the same messages as older click releases word them (pyproject's lower bound)
    "No such option: {name}": "没有选项 {name}",
    "(Possible options: {possibilities})": "（可用的选项：{possibilities}）",
    "{value!r} is not a valid boolean.": "{value!r} 不是有效的是/否值。",
    "Error: The value you entered was invalid.": "错误：输入的值无效。",
    "Error: {e.message}": "错误：{e.message}",
    # prompts
    "Press any key to continue...": "按任意键继续……",
    "Repeat for confirmation": "请再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Do you want to continue?": "是否继续？",
}

#: Chinese names for the type placeholders click derives from an option's type (``--unit TEXT``).
TYPE_METAVARS = {"TEXT": "文本", "INTEGER RANGE": "整数", "INTEGER": "整数", "FLOAT RANGE": "数字",
                 "FLOAT": "数字", "BOOLEAN": "是/否", "PATH": "路径", "FILENAME": "文件"}


def gettext(message: str) -> str:
    """The Chinese for one of the library's messages, or the message itself."""
    return CATALOG.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural-aware variant: Chinese has one form for both."""
    return gettext(singular if n == 1 else plural)


def translate(*modules: object) -> None:
    """Route the gettext look-ups of the library's modules (each imported ``gettext as _`` and
    ``ngettext``) through this catalog."""
    for module in modules:
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


# --- layout: Chinese characters take two terminal columns ---------------------------------------

def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: Break points for wrapping: a run of spaces, a Latin word, or one wide character.
_TOKEN = re.compile(r"\s+|[^\s\u2e80-\uffef]+|[\u2e80-\uffef]")


#: Punctuation that never starts a line (it stays with the character before, one column over).
_NO_BREAK_BEFORE = frozenset("，。、；：？！）」』》”’】")


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns (a longer single word stays whole, closing
    punctuation stays on its line); paragraphs kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for token in _TOKEN.findall(" ".join(paragraph.split())):
            w = display_width(token)
            if token.isspace():
                if line:
                    line, used = line + " ", used + 1
                continue
            if line and used + w > width and token not in _NO_BREAK_BEFORE:
                lines.append(line.rstrip())
                line, used = "", 0
            line, used = line + token, used + w
        lines.append(line.rstrip())
    return lines


def layout_rows(rows: Iterable[tuple[str, str]], indent: int, width: int, col_max: int = 30,
                col_spacing: int = 2) -> str:
    """A help definition list (option, text) as lines: the first column as wide as its widest
    entry (at most ``col_max`` columns), the text wrapped to ``width`` columns beside it, or on
    the next line when the first column is wider."""
    rows = list(rows)
    first_col = min(max((display_width(f) for f, _ in rows), default=0), col_max) + col_spacing
    pad = " " * indent
    out: list[str] = []
    for first, second in rows:
        out.append(f"{pad}{first}")
        if not second:
            out.append("\n")
            continue
        used = display_width(first)
        if used <= first_col - col_spacing:
            out.append(" " * (first_col - used))
        else:
            out.append("\n" + " " * (first_col + indent))
        lines = wrap(second, max(width - first_col - 2, 10)) or [""]
        out.append(lines[0] + "\n")
        out.extend(f"{pad}{' ' * first_col}{line}\n" for line in lines[1:])
    return "".join(out)
