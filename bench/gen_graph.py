"""Synthetic Logseq graph generator for benchmarks and parser cross-checks.

    python bench/gen_graph.py OUT_DIR [--pages 10000] [--seed 1]

Writes a file graph (``logseq/config.edn``, ``pages/``, ``journals/``, ``whiteboards/``) with
Chinese and ASCII pages and every feature the reader handles: tab / 2-space / 4-space
indentation, continuation lines, empty blocks, ``# heading`` lines without bullets, ``- ## x``
headings, page properties (and a few pre-blocks without properties, YAML front matter), block
properties, ``id::``, all ten task markers, priorities, SCHEDULED/DEADLINE with times and
repeaters, page refs (nested, labelled), tags, block refs, macros, inline code, ``` fences and
``#+BEGIN_…`` blocks with ``- `` and ``key::`` lines inside, ``:LOGBOOK:`` drawers, a few Org
pages, a few BOM / CRLF files, and whiteboards in Logseq's EDN layout.

``OUT_DIR/expected.json`` holds the counts, computed while generating (never by parsing), for
files under ``pages/`` and ``journals/``: blocks (pre-blocks excluded), blocks per depth, pre-
blocks, pages with page properties, markers, priorities, SCHEDULED, DEADLINE, blocks with
properties, ids, refs (distinct page refs + tags per block, summed), block refs, macros; plus
whiteboard and shape counts.  Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import uuid
from collections import Counter
from pathlib import Path

MARKERS = ["TODO", "DOING", "DONE", "LATER", "NOW", "WAITING", "WAIT", "CANCELED", "CANCELLED",
           "IN-PROGRESS"]
ZH_WORDS = ["巡察", "整改", "台账", "底稿", "谈话", "材料", "进驻", "反馈", "移交", "报告", "问题", "线索",
            "党委", "领导小组", "专项", "督办", "清单", "方案", "通知", "动员会"]
EN_WORDS = ["alpha", "review", "budget", "meeting", "report", "draft", "audit", "follow", "plan",
            "notes", "check", "summary", "risk", "owner", "status", "scope", "issue", "record"]
TAGS = ["重点", "urgent", "todo-later", "整改", "q1", "巡察组", "audit-2026", "跟踪"]
UNITS = "hdwmy"
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def words(rng: random.Random, n: int) -> str:
    if rng.random() < 0.5:
        return "".join(rng.choice(ZH_WORDS) for _ in range(n))
    return " ".join(rng.choice(EN_WORDS) for _ in range(n))


def stamp(rng: random.Random) -> str:
    d = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))
    s = f"{d.isoformat()} {WEEKDAYS[d.weekday()]}"
    if rng.random() < 0.3:
        s += f" {rng.randrange(24):02d}:{rng.randrange(60):02d}"
    if rng.random() < 0.2:
        s += f" {rng.choice(['+', '++', '.+'])}{rng.randrange(1, 9)}{rng.choice(UNITS)}"
    return f"<{s}>"


class Gen:
    def __init__(self, out: Path, pages: int, seed: int) -> None:
        self.out = out
        self.n_pages = pages
        self.rng = random.Random(seed)
        self.c: Counter[str] = Counter()
        self.depths: Counter[int] = Counter()
        self.markers: Counter[str] = Counter()
        self.priorities: Counter[str] = Counter()
        self.ids: list[str] = []
        self.names = [self.page_name(i) for i in range(pages)]

    def page_name(self, i: int) -> str:
        r = i % 10
        if r < 4:
            return f"Project {EN_WORDS[i % len(EN_WORDS)]} {i}"
        if r < 8:
            return f"巡察单位{i}号"
        return f"巡察/2026/单位-{i}"

    # ---- one block -------------------------------------------------------------------
    def block(self, depth: int, ind: str, fmt: str) -> list[str]:
        """Lines of one block at ``depth`` (1-based) with indentation unit ``ind``."""
        rng = self.rng
        c = self.c
        prefix = ind * (depth - 1)
        cont = prefix + "  "
        refs: list[str] = []
        kind = rng.random()
        first: str
        body: list[str] = []
        marker = None
        if kind < 0.04:
            first = ""  # empty block
        elif kind < 0.07:
            first = f"## {words(rng, 3)}"
        else:
            text = words(rng, rng.randrange(3, 13))
            if kind < 0.30:
                marker = rng.choice(MARKERS)
                if rng.random() < 0.25:
                    pr = rng.choice("ABC")
                    self.priorities[pr] += 1
                    text = f"[#{pr}] {text}"
                text = f"{marker} {text}"
                self.markers[marker] += 1
            first = text
            r = rng.random()
            if r < 0.25:
                name = self.names[rng.randrange(self.n_pages)]
                first += f" [[{name}]]"
                refs.append(name)
            elif r < 0.35:
                tag = rng.choice(TAGS)
                first += f" #{tag}"
                refs.append(tag)
            elif r < 0.40:
                first += " #[[多 词 标签]] and [标签]([[Label Target]])"
                refs += ["多 词 标签", "Label Target"]
            elif r < 0.42:
                first += " [[outer [[inner]]]]"
                refs += ["outer [[inner]]", "inner"]
            elif r < 0.45:
                first += " `[[not a ref]] #nottag`"
            elif r < 0.48 and self.ids:
                first += f" (({rng.choice(self.ids)}))"
                c["block_refs"] += 1
            elif r < 0.50:
                first += " {{query (task TODO)}}"
                c["macros"] += 1
            elif r < 0.51:
                first += " {{embed [[Embedded Page]]}}"
                refs.append("Embedded Page")
                c["macros"] += 1
            elif r < 0.52:
                first += " DONE looks like a marker here"
        # planning lines (tasks only), then properties, then a logbook
        if marker is not None:
            if rng.random() < 0.2:
                body.append(f"{cont}SCHEDULED: {stamp(rng)}")
                c["scheduled"] += 1
            if rng.random() < 0.15:
                body.append(f"{cont}DEADLINE: {stamp(rng)}")
                c["deadline"] += 1
        if rng.random() < 0.22 and first:
            props: list[tuple[str, str]] = []
            if rng.random() < 0.5:
                uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                props.append(("id", uid))
                self.ids.append(uid)
                c["ids"] += 1
            props.append(("type", rng.choice(["inspection", "巡察", "meeting"])))
            if rng.random() < 0.3:
                props.append(("owner", f"[[{rng.choice(['张三', '李四', 'Alice'])}]], 王五"))
                c["owner_properties"] += 1
            if rng.random() < 0.1:
                props.append(("collapsed", "true"))
            if fmt == "org":
                body += [":PROPERTIES:", *(f":{k}: {v}" for k, v in props), ":END:"]
            else:
                body += [f"{cont}{k}:: {v}" for k, v in props]
            c["blocks_with_properties"] += 1
        if marker == "DONE" and rng.random() < 0.2:
            body += [f"{cont}:LOGBOOK:",
                     f"{cont}CLOCK: [2026-03-01 Sun 09:00:00]--[2026-03-01 Sun 10:00:00] =>  01:00:00",
                     f"{cont}- not a block in a logbook", f"{cont}:END:"]
        # body text
        b = rng.random()
        if b < 0.12:
            body.append(f"{cont}{words(rng, 5)}")
            body.append(f"{cont}  {words(rng, 3)}")
        elif b < 0.15:
            body += [f"{cont}```clojure", f"{cont}- not a block", f"{cont}key:: not a property",
                     f"{cont}(println \"[[no ref]]\")", f"{cont}```"]
        elif b < 0.16:
            body += [f"{cont}#+BEGIN_QUOTE", f"{cont}- quoted dash", f"{cont}#+END_QUOTE"]
        elif b < 0.165:
            body += [f"{cont}$$", f"{cont}- a - b", f"{cont}$$"]
        self.c["blocks"] += 1
        self.depths[depth] += 1
        self.c["refs"] += len(set(refs))
        if fmt == "org":
            return ["*" * depth + (" " + first if first else "")] + [ln.strip() for ln in body]
        bullet = f"{prefix}- {first}" if first else f"{prefix}-"
        return [bullet, *body]

    # ---- one page ------------------------------------------------------------------------
    def page_text(self, n_blocks: int, journal: bool, fmt: str) -> str:
        rng = self.rng
        lines: list[str] = []
        r = rng.random()
        if fmt == "org":
            if r < 0.6:
                lines += [f"#+TITLE: {words(rng, 2)}", "#+TYPE: org-page", ""]
                self.c["pages_with_properties"] += 1
                self.c["pre_blocks"] += 1
        elif not journal and r < 0.6:
            lines += [f"type:: [[{rng.choice(['inspection-plan', '巡察方案', 'note'])}]]",
                      f"tags:: {rng.choice(TAGS)}, [[{words(rng, 2)}]]"]
            if rng.random() < 0.3:
                lines.append(f"alias:: {words(rng, 2)}，{words(rng, 1)}")
            lines.append("")
            self.c["pages_with_properties"] += 1
            self.c["pre_blocks"] += 1
        elif not journal and r < 0.63:
            lines += ["---", f"title: {words(rng, 2)}", "---", ""]
            self.c["pages_with_properties"] += 1
            self.c["pre_blocks"] += 1
        elif not journal and r < 0.66:
            lines += [f"{words(rng, 6)}", ""]
            self.c["pre_blocks"] += 1
        style = rng.random()
        ind = "\t" if style < 0.7 else ("  " if style < 0.9 else "    ")
        depth = 0
        for k in range(n_blocks):
            if fmt == "markdown" and k and rng.random() < 0.03:
                lines.append(f"# {words(rng, 2)}")  # heading line without a bullet
                self.c["blocks"] += 1
                self.depths[1] += 1
                depth = 1
                continue
            depth = rng.randint(1, min(depth + 1, 6)) if depth else 1
            lines += self.block(depth, ind, fmt)
        return "\n".join(lines) + "\n"

    def write(self, rel: str, text: str) -> None:
        data = text
        if self.rng.random() < 0.002:
            data = data.replace("\n", "\r\n")
            self.c["crlf_files"] += 1
        raw = data.encode("utf-8")
        if self.rng.random() < 0.002 and not rel.endswith(".org"):
            raw = b"\xef\xbb\xbf" + raw
            self.c["bom_files"] += 1
        path = self.out / rel
        path.write_bytes(raw)
        self.c["files"] += 1
        self.c["bytes"] += len(raw)

    def whiteboard(self, i: int) -> None:
        rng = self.rng
        page_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        name = f"白板{i}" if i % 2 else f"Board {i}"
        shapes: list[str] = []
        ids: list[str] = []
        n = rng.randrange(4, 12)
        for k in range(n):
            sid = str(uuid.UUID(int=rng.getrandbits(128), version=1))
            ids.append(sid)
            if k % 3 == 0:
                body = (f'{{:type "text" :id "{sid}" :parentId "{page_id}" :index {k} :point [{k * 50} 10] '
                        f':size [200 40] :text "{words(rng, 3)}" :fontSize 20}}')
            elif k % 3 == 1:
                body = (f'{{:type "box" :id "{sid}" :parentId "{page_id}" :index {k} :point [{k * 50} 100] '
                        f':size [120 80] :label "{words(rng, 2)}" :fill "#ffffff"}}')
            else:
                body = (f'{{:type "logseq-portal" :id "{sid}" :parentId "{page_id}" :index {k} '
                        f':point [{k * 50} 200] :size [400 42.8] :pageId "{self.names[k]}" :blockType "P" '
                        f':compact true}}')
            shapes.append(f"{{:block/properties \n{{:ls-type :whiteboard-shape\n"
                          f":logseq.tldraw.shape \n{body}}}\n"
                          f":block/created-at 1736304980643\n:block/updated-at 1736304980643}}")
        # one arrow between the first two shapes
        line_id = str(uuid.UUID(int=rng.getrandbits(128), version=1))
        b1 = str(uuid.uuid5(uuid.NAMESPACE_OID, line_id + "s"))
        b2 = str(uuid.uuid5(uuid.NAMESPACE_OID, line_id + "e"))
        shapes.append(
            f'{{:block/properties \n{{:ls-type :whiteboard-shape\n:logseq.tldraw.shape \n{{:type "line" '
            f':id "{line_id}" :parentId "{page_id}" :index {n} :point [0 0] :handles {{:start {{:id "start" '
            f':canBind true :point [0 0] :bindingId "{b1}"}} :end {{:id "end" :canBind true :point [100 0] '
            f':bindingId "{b2}"}}}} :decorations {{:end "arrow"}} :label ""}}}}}}'
        )
        ids.append(line_id)
        bindings = (f':{b1} {{:id "{b1}" :type "line" :fromId "{line_id}" :toId "{ids[0]}" :handleId "start" '
                    f':point [0.5 0.5] :distance 4}} :{b2} {{:id "{b2}" :type "line" :fromId "{line_id}" '
                    f':toId "{ids[1]}" :handleId "end" :point [0.5 0.5] :distance 4}}')
        block_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        content = f"### TODO {words(rng, 2)} [[{self.names[0]}]]\\n{words(rng, 6)}".replace('"', "")
        ordinary = (f'{{:block/content "{content}"\n:block/format :markdown\n:block/left {{:block/uuid #uuid '
                    f'"{page_id}"}}\n:block/parent {{:block/uuid #uuid "{page_id}"}}\n'
                    f':block/properties {{:heading 3}}\n'
                    f':block/uuid #uuid "{block_uuid}"}}')
        index = " ".join(f'"{s}"' for s in ids)
        text = (
            "{:blocks (\n" + ordinary + " \n" + " \n".join(shapes) + ")\n:pages (\n"
            f'{{:block/uuid #uuid "{page_id}"\n:block/properties \n{{:ls-type :whiteboard-page\n'
            f':logseq.tldraw.page \n{{:id "{page_id}"\n:name "{name}"\n:bindings \n{{{bindings}}}\n:nonce 1\n'
            f':assets []\n:shapes-index ({index})}}}}\n:block/journal? false\n'
            f':block/updated-at 1736304986663\n'
            f':block/created-at 1734340565386\n:block/type "whiteboard"\n:block/name "{name.lower()}"\n'
            f':block/original-name "{name}"}})}}\n'
        )
        (self.out / "whiteboards" / f"{name}.edn").write_text(text, encoding="utf-8")
        self.c["whiteboards"] += 1
        self.c["shapes"] += len(ids)
        self.c["whiteboard_blocks"] += 1

    def run(self) -> dict[str, object]:
        out = self.out
        for d in ("pages", "journals", "whiteboards", "logseq"):
            (out / d).mkdir(parents=True, exist_ok=True)
        (out / "logseq" / "config.edn").write_text(
            ';; generated by bench/gen_graph.py\n{:meta/version 1\n :preferred-format "Markdown"\n'
            " :preferred-workflow :now\n :file/name-format :triple-lowbar\n"
            ' :journal/page-title-format "MMM do, yyyy"\n :journal/file-name-format "yyyy_MM_dd"\n'
            " :property/separated-by-commas #{:owner}\n :hidden []\n"
            ' :macros {"poem" "Rose is $1, violet\'s $2."}}\n',
            encoding="utf-8",
        )
        rng = self.rng
        for i, name in enumerate(self.names):
            fmt = "org" if i % 100 == 99 else "markdown"
            body = name.replace("/", "___")
            text = self.page_text(rng.randrange(5, 76), False, fmt)
            self.write(f"pages/{body}.{'org' if fmt == 'org' else 'md'}", text)
            self.c["pages"] += 1
        day = dt.date(2026, 1, 1)
        for i in range(max(self.n_pages // 5, 1)):
            d = day - dt.timedelta(days=i)
            text = self.page_text(rng.randrange(3, 44), True, "markdown")
            self.write(f"journals/{d.strftime('%Y_%m_%d')}.md", text)
            self.c["journals"] += 1
        for i in range(max(self.n_pages // 200, 1)):
            self.whiteboard(i)
        # a dot-file that must be skipped (not counted)
        (out / "pages" / ".hidden-draft.md").write_text("- TODO must not be counted\n", encoding="utf-8")
        expected: dict[str, object] = dict(sorted(self.c.items()))
        expected["markers"] = dict(sorted(self.markers.items()))
        expected["priorities"] = dict(sorted(self.priorities.items()))
        expected["depths"] = {str(k): v for k, v in sorted(self.depths.items())}
        (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
        return expected


def generate(out: Path, pages: int = 10_000, seed: int = 1) -> dict[str, object]:
    """Write the graph into ``out`` and return the expected counts."""
    return Gen(out, pages, seed).run()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    exp = generate(args.out, args.pages, args.seed)
    print(json.dumps({k: exp[k] for k in ("files", "blocks", "bytes", "whiteboards")}))


if __name__ == "__main__":
    main()
