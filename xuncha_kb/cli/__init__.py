"""The command line: options → calls into ``xuncha_kb.commands`` (imported inside each command,
so ``--help`` is fast), results → output.  The only package that imports click.

One module per command (or command family) maps its options to the driver in ``commands/``;
``base`` holds what they share, among it ``XunchaGroup.invoke``, the one place where a
``XunchaError`` becomes a Chinese message and its exit code.  A new command is a new module here
and one ``add_command`` line below.
"""

from __future__ import annotations

import click

from xuncha_kb import __version__
from xuncha_kb.cli.base import XunchaGroup
from xuncha_kb.cli.closeout import close_out_cmd
from xuncha_kb.cli.doc import doc_cmd
from xuncha_kb.cli.report import report_cmd
from xuncha_kb.cli.scaffold import scaffold_cmd, scaffold_plan_cmd
from xuncha_kb.cli.serve import serve_cmd
from xuncha_kb.cli.stats import stats
from xuncha_kb.cli.sync import sync_cmd
from xuncha_kb.cli.watch import watch_cmd
from xuncha_kb.cli.workflow import workflow_group


@click.group("xuncha-kb", cls=XunchaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xuncha-kb", message="%(prog)s，版本 %(version)s",
                      help="显示版本号并退出。")
def cli() -> None:
    """xuncha-kb：把 Logseq 笔记库变成巡察办的工作系统。

    GRAPH 为 Logseq 图谱目录；省略时使用环境变量 XUNCHA_GRAPH，否则为当前目录。

    \b
    示例：xuncha-kb report ~/巡察图谱
    """


for _command in (stats, watch_cmd, sync_cmd, report_cmd, workflow_group, scaffold_cmd, scaffold_plan_cmd,
                 close_out_cmd):
    cli.add_command(_command)
cli.add_command(serve_cmd)
cli.add_command(doc_cmd)


def main() -> None:
    cli(prog_name="xuncha-kb")
