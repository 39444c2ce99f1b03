"""``logseq/config.edn`` → :class:`GraphConfig` (logseq-format §6).

Only the keys that change how files are read or written are interpreted; every key is kept
in ``GraphConfig.raw`` (keywords as ``":a/b"`` strings).  Like Logseq, a config that does not
parse falls back to the defaults — with a warning naming ``file:line`` instead of silence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xuncha_kb.logseq import edn, edn_positions
from xuncha_kb.model import Diagnostic, GraphConfig, NameFormat, PageFormat

CONFIG_FILE = "logseq/config.edn"


def read_config(text: str, file: str = CONFIG_FILE) -> tuple[GraphConfig, list[Diagnostic]]:
    """Parse the text of ``logseq/config.edn``; never raises for bad content."""
    diags: list[Diagnostic] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return GraphConfig(), diags
    try:
        data = edn.loads(text)
    except edn.EdnError as exc:
        diags.append(Diagnostic(file, exc.line, f"{exc.message}；已按 Logseq 的默认设置读取图谱"))
        return GraphConfig(), diags
    if not isinstance(data, dict):
        diags.append(Diagnostic(file, 1, "config.edn 的内容不是一个 {…} 映射；已按默认设置读取图谱"))
        return GraphConfig(), diags
    return config_from_map(data, file, text, diags), diags


def config_from_map(data: Mapping[str, Any], file: str = CONFIG_FILE, text: str = "",
                    diags: list[Diagnostic] | None = None) -> GraphConfig:
    """Build a GraphConfig from an already converted EDN map (keys like ``":hidden"``).

    ``text`` is the EDN the map was read from: a diagnostic about a value names the line
    where that value is written (``edn_positions.map_value_lines``), not the first mention of its key.
    """
    r = _Reader(data, file, edn_positions.map_value_lines(text) if text else {},
                diags if diags is not None else [])
    defaults = GraphConfig()
    # The readers run in this order so that the warnings come out in it.
    name_format: NameFormat = r.word(*_NAME_FORMAT)
    hidden = r.hidden()
    preferred_format: PageFormat = r.word(*_PREFERRED_FORMAT)
    workflow = r.word(*_PREFERRED_WORKFLOW)
    commas = r.commas()
    # Logseq: only an explicit false turns property pages off.
    pages_enabled = data.get(":property-pages/enabled?") is not False

    return GraphConfig(
        name_format=name_format,
        hidden=hidden,
        pages_dir=r.directory(":pages-directory", defaults.pages_dir),
        journals_dir=r.directory(":journals-directory", defaults.journals_dir),
        whiteboards_dir=r.directory(":whiteboards-directory", defaults.whiteboards_dir),
        journal_file_format=r.date_format(":journal/file-name-format", default=defaults.journal_file_format),
        journal_title_format=r.date_format(":journal/page-title-format", ":date-formatter",
                                           default=defaults.journal_title_format),
        preferred_format=preferred_format,
        preferred_workflow=workflow,
        separated_by_commas=commas,
        property_pages_enabled=pages_enabled,
        raw=dict(data),
    )


# A setting that is one word out of a few: (key, compare case-insensitively, word → value,
# value when missing or unknown, what the warning says is done instead).
_WordSetting = tuple[str, bool, Mapping[str, Any], Any, str]
_NAME_FORMAT: _WordSetting = (":file/name-format", False,
                              {"triple-lowbar": "triple-lowbar", "legacy": "legacy"},
                              "legacy", "按旧版（legacy）文件名格式读取")
_PREFERRED_FORMAT: _WordSetting = (":preferred-format", True,
                                   {"org": "org", "markdown": "markdown", "md": "markdown"},
                                   "markdown", "新页面使用 Markdown")
_PREFERRED_WORKFLOW: _WordSetting = (":preferred-workflow", True, {"todo": "todo", "now": "now"},
                                     GraphConfig().preferred_workflow, "使用 :now（LATER/NOW）")


class _Reader:
    """Reads settings from the map, warning at the line of each value it cannot use."""

    def __init__(self, data: Mapping[str, Any], file: str, value_lines: Mapping[Any, int],
                 diags: list[Diagnostic]) -> None:
        self.data = data
        self.file = file
        self.value_lines = value_lines
        self.diags = diags

    def warn(self, key: str, message: str) -> None:
        self.diags.append(Diagnostic(self.file, self.value_lines.get(key, 1), message))

    def word(self, key: str, fold: bool, choices: Mapping[str, Any], default: Any, instead: str) -> Any:
        v = self.data.get(key)
        if v is None:
            return default
        word = _word(v).lower() if fold else _word(v)
        if word in choices:
            return choices[word]
        self.warn(key, f"{key} 的值 {v!r} 无法识别，{instead}")
        return default

    def hidden(self) -> tuple[str, ...]:
        hv = self.data.get(":hidden")
        if hv is None:
            return ()
        if isinstance(hv, tuple | frozenset | list):
            # symbols are code-like data (``(fn …)``), never paths
            return tuple(str(h) for h in hv if isinstance(h, str) and not isinstance(h, edn.Symbol)
                         and h.strip())
        if isinstance(hv, str) and hv.strip():
            return (hv,)
        self.warn(":hidden", ":hidden 应为路径列表，如 [\"archived\"]；已忽略")
        return ()

    def commas(self) -> frozenset[str]:
        sv = self.data.get(":property/separated-by-commas")
        if isinstance(sv, tuple | frozenset | list):
            return frozenset(_property_key(_word(k)) for k in sv if isinstance(k, str) and _word(k))
        if sv is not None:
            self.warn(":property/separated-by-commas",
                      ":property/separated-by-commas 应为集合，如 #{:owner}；已忽略")
        return frozenset()

    def directory(self, key: str, default: str) -> str:
        v = self.data.get(key)
        if v is None:
            return default
        if isinstance(v, str) and v.strip().strip("/") and ".." not in v.split("/"):
            return v.strip().strip("/")
        self.warn(key, f"{key} 的值 {v!r} 不是图谱内的目录名，使用默认值“{default}”")
        return default

    def text_value(self, *keys: str, default: str) -> str:
        for key in keys:
            v = self.data.get(key)
            if isinstance(v, str) and v.strip():
                return v
            if v is not None:
                self.warn(key, f"{key} 的值 {v!r} 不是字符串，使用默认值“{default}”")
        return default

    def date_format(self, *keys: str, default: str) -> str:
        value = self.text_value(*keys, default=default)
        if value != default and not _usable_date_format(value):
            key = next((k for k in keys if self.data.get(k) == value), keys[0])
            self.warn(key, f"{key} 的日期格式 {value!r} 不能唯一表示年月日，使用默认值“{default}”")
            return default
        return value


def _usable_date_format(fmt: str) -> bool:
    """A journal date pattern must write year, month and day so that it reads back to the date."""
    import datetime as dt

    from xuncha_kb.logseq.names import format_date, parse_date

    samples = (dt.date(2026, 3, 1), dt.date(2031, 12, 28))
    return all(parse_date(format_date(d, fmt), fmt) == d for d in samples)


def _word(value: Any) -> str:
    """A keyword or string setting as a bare word: ``:triple-lowbar`` / ``"Markdown"`` → text."""
    if not isinstance(value, str):
        return ""
    return value[1:] if value.startswith(":") else value


def _property_key(name: str) -> str:
    """Property keys the way the page reader normalises them (lower case, ``_``/space → ``-``)."""
    return name.strip().lower().replace("_", "-").replace(" ", "-")
