"""The command line: wires options to library calls and formats results.

The only module that imports click.  Heavy libraries (networkx, edn_format, markdown_it,
watchdog) are imported inside the commands that need them, so ``xuncha-kb --help`` is fast.
Every ``XunchaError`` becomes a Chinese message on stderr and its exit code here, in
``XunchaGroup.invoke``; nothing else in the package prints errors or exits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from xuncha_kb import __version__
from xuncha_kb.errors import XunchaError

GRAPH_ENV = "XUNCHA_GRAPH"


class XunchaGroup(click.Group):
    """A click group that turns XunchaError into a message and an exit code, once."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except XunchaError as exc:
            click.echo(exc.render(), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            ctx.exit(130)


def resolve_graph(graph: str | None) -> Path:
    """GRAPH argument, else $XUNCHA_GRAPH, else the current directory."""
    return Path(graph or os.environ.get(GRAPH_ENV) or ".")


graph_argument = click.argument("graph", required=False, metavar="[GRAPH]")


@click.group(cls=XunchaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xuncha-kb")
def cli() -> None:
    """xuncha-kb：把 Logseq 笔记库变成巡察办的工作系统。

    GRAPH 为 Logseq 图谱目录；省略时使用环境变量 XUNCHA_GRAPH，否则为当前目录。
    """


def main() -> None:
    cli(prog_name="xuncha-kb")


if __name__ == "__main__":  # pragma: no cover
    main()
