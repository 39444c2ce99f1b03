"""The Chinese labels of the ids the Progress model uses: the only place a state id becomes
the word a reader sees (the model and ``live/`` compare ids)."""

from __future__ import annotations

from typing import Final

from xuncha_kb.track.deadlines import Colour
from xuncha_kb.track.progress_model import StageStatus, Status

STATUS_LABEL: Final[dict[Status, str]] = {
    "not_started": "未开始",
    "in_progress": "进行中",
    "done": "已完成",
    "cancelled": "已取消",
    "waiting": "等待中",
}

STAGE_LABEL: Final[dict[StageStatus, str]] = {
    "not_started": "未开始",
    "in_progress": "进行中",
    "done": "已完成",
}

COLOUR_LABEL: Final[dict[Colour, str]] = {"green": "绿", "yellow": "黄", "red": "红"}
