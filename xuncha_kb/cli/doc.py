"""``xuncha-kb doc``: one 公文 (Word document) of one inspection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from xuncha_kb.cli.base import (
    InputPath,
    XunchaCommand,
    dry_run_option,
    err,
    graph_argument,
    no_cache_option,
    option,
    today_option,
)
from xuncha_kb.commands import resolve_graph

#: The kinds, as ``generate.documents.KINDS`` lists them (kept here so --help imports nothing heavy).
KINDS = ("巡察通知", "巡察工作方案", "问题底稿审批单", "巡察情况报告", "反馈意见", "移交函", "整改情况报告")


@click.command(cls=XunchaCommand, name="doc")
@click.argument("kind", metavar="种类", type=click.Choice(KINDS))
@graph_argument
@option("--inspection", "only", metavar="名称", help="哪一个巡察（概览页名称或被巡察单位，可只写一部分）。")
@option("-o", "--output", type=InputPath(path_type=Path, dir_okay=False),
        help="写入的 .docx 文件（默认：当前目录下的“种类（被巡察单位）.docx”）。已有文件不会被覆盖。")
@dry_run_option(help="只显示将新建的文件，不写入。")
@option("--to", metavar="接收单位", help="移交函：只列移交给该单位的事项，如 纪检部、干部人事部。")
@option("--redact", type=click.Choice(["none", "names"]), default="none", show_default=True,
        help="names：把概览页登记的人员姓名替换为角色代号（组长、组员A……）。")
@option("--include-sensitive", is_flag=True,
        help="仅用于 移交函 --to 纪检部：列入涉密的问题线索（会显示警告，文件须按密件管理）。")
@option("--fonts", type=click.Choice(["gb", "noto"]), default="gb", show_default=True,
        help="gb：GB/T 9704 规定的字体（方正小标宋简体、仿宋_GB2312 等）；noto：改用 Noto CJK 字体，"
             "适合未安装这些字体的电脑。")
@today_option(help="文中的成文日期与期限计算所用日期（默认今天）。")
@no_cache_option
def doc_cmd(kind: str, graph: str | None, **kw: Any) -> None:
    """生成公文（Word 文档）：巡察通知、巡察工作方案、问题底稿审批单、巡察情况报告（初稿）、
    反馈意见（初稿）、移交函（附移交清单）、整改情况报告（框架）。

    内容取自图谱中的概览页与三本台账，版式参照 GB/T 9704。模板可编辑：把
    graph_templates/docs/种类.docx 复制到图谱的 assets/xuncha-templates/docs/ 下修改即可。
    涉密内容不进入公文；只有向纪检部门移交线索的移交函在加 --include-sensitive 时列入。

    \b
    示例：xuncha-kb doc 巡察情况报告 ~/巡察图谱 --inspection 某某集团 -o 巡察情况报告.docx
    """
    from xuncha_kb.commands.doc import DocRequest, run_doc

    run_doc(resolve_graph(graph), DocRequest(kind=kind, **kw), say=click.echo, notice=err)
