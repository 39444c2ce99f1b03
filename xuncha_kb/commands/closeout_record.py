"""The ``…/脱密处理记录`` page close-out writes, as text: counts and what was done — never a
sensitive page's name or text, so the page may go into an archive that excludes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from xuncha_kb.commands.closeout_checks import DraftCheck, SensitivePage
from xuncha_kb.fs.archive import MANIFEST_NAME as ARCHIVE_MANIFEST
from xuncha_kb.fs.recycle import RECYCLE_DIR
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.discover import InspectionRef

RECORD_LEAF = "脱密处理记录"
TYPE_RECORD = "脱密处理记录"


def record_title(ref: InspectionRef) -> str:
    return cv.sub_page_name(ref.name, RECORD_LEAF)


def render_record(ref: InspectionRef, today: dt.date, drafts: Sequence[DraftCheck],
                  sensitive: Sequence[SensitivePage], sensitive_blocks: int,
                  archive: Path | None, archive_files: int, include_sensitive: bool, purge: bool) -> str:
    """The 脱密处理记录 page: counts and what was done — never a sensitive page's name or text."""
    from xuncha_kb.logseq.render import BlockSpec, PageSpec, render_page

    statuses: dict[str, int] = {}
    for d in drafts:
        statuses[d.status] = statuses.get(d.status, 0) + 1
    by_status = "，".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "无"
    by_ns = sum(1 for s in sensitive if s.reason == "命名空间")
    if archive is None:
        archive_line = "未生成归档包"
    else:
        scope = "含涉密页面" if include_sensitive else "不含涉密页面"
        archive_line = (f"归档包 {archive.name}：{archive_files} 个文件（{scope}），"
                        f"附 {ARCHIVE_MANIFEST} 哈希清单")
    if purge:
        handling = f"涉密页面已移入 {RECYCLE_DIR}/（Logseq 的回收文件夹，可恢复），归档移交后请清理该文件夹"
    elif sensitive:
        handling = "涉密页面仍保留在图谱中，请按保密要求处理"
    else:
        handling = "无需处理"
    spec = PageSpec(
        name=record_title(ref),
        properties=((cv.P_TYPE, f"[[{TYPE_RECORD}]]"), (cv.P_INSPECTION, f"[[{ref.name}]]"),
                    ("处理日期", today.isoformat()), (cv.P_GENERATED, "close-out")),
        blocks=(
            BlockSpec("## 底稿台账", children=(
                BlockSpec(f"底稿 {len(drafts)} 份，均已定稿或已移交，必填字段齐全（{by_status}）"),)),
            BlockSpec("## 涉密材料", children=(
                BlockSpec(f"涉密页面 {len(sensitive)} 个（按命名空间 {by_ns}，按 密级::/sensitive:: 标记 "
                          f"{len(sensitive) - by_ns}），其他页面中的涉密块 {sensitive_blocks} 个"),
                BlockSpec(f"处理方式：{handling}"),
                BlockSpec("本页只记录数量，不列出涉密页面的名称或内容"))),
            BlockSpec("## 归档", children=(BlockSpec(archive_line),)),
            BlockSpec("## 撤离脱密检查", children=(
                BlockSpec("回收并清点涉密纸质材料", marker="TODO"),
                BlockSpec("清除驻地计算机和移动存储介质中的工作文件", marker="TODO"),
                BlockSpec("归档材料移交巡察办", marker="TODO"),
                BlockSpec("组长确认脱密处理完成", marker="TODO"))),
        ),
    )
    return render_page(spec)
