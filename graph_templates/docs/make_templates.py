"""Build the shipped 公文 templates (one .docx per document kind) in this folder.

    python graph_templates/docs/make_templates.py

The templates are ordinary Word files with docxtpl (Jinja) tags; an office may edit them in
Word or LibreOffice (keep the tags) and put its own copy in a graph's
``assets/xuncha-templates/docs/`` folder, where ``xuncha-kb doc`` prefers it.  The layout follows
GB/T 9704: A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; title in 方正小标宋简体
二号; body 仿宋_GB2312 三号 at a fixed 28 pt line; level-1 headings 黑体, level-2 楷体_GB2312;
page number "— 1 —" in 4号 宋体 in the footer, one character in from the right edge on odd pages
and from the left edge on even pages.  Each font name carries an alternative name in the font
table (Noto Serif/Sans CJK SC), for machines without the official fonts.

Re-run after changing this script; the test suite checks that the committed templates are what
it builds (apart from zip timestamps).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from xuncha_kb.generate.documents import COLUMNS, KINDS  # noqa: E402

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
#: Each official font and the font a machine without it should use instead.
ALT_FONTS = {TITLE_FONT: "Noto Serif CJK SC", BODY_FONT: "Noto Serif CJK SC",
             H1_FONT: "Noto Sans CJK SC", H2_FONT: "Noto Serif CJK SC"}
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
LINE = Pt(28)


def set_font(style_or_run, name: str, size) -> None:
    font = style_or_run.font
    font.name = name
    font.size = size
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over the name
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def paragraph_format(style, *, align=None, indent: bool = False, before=0, after=0) -> None:
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if align is not None:
        pf.alignment = align
    if indent:
        pf.first_line_indent = Pt(32)  # two characters of 三号


def make_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    set_font(normal, BODY_FONT, SIZE_3)
    paragraph_format(normal, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for name, font, level in (("Heading 1", H1_FONT, 1), ("Heading 2", H2_FONT, 2)):
        st = styles[name]
        set_font(st, font, SIZE_3)
        st.font.bold = False
        st.font.italic = False
        st.font.color.rgb = None
        paragraph_format(st, indent=True)
        st.paragraph_format.keep_with_next = True
        del level
    title = styles["Title"]
    set_font(title, TITLE_FONT, SIZE_2)
    title.font.bold = False
    title.font.color.rgb = None
    paragraph_format(title, align=WD_ALIGN_PARAGRAPH.CENTER, after=28)
    title.paragraph_format.line_spacing = Pt(36)
    for border in title.element.findall(".//" + qn("w:pBdr")):
        border.getparent().remove(border)
    body = styles.add_style("正文", 1)
    body.base_style = normal
    paragraph_format(body, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    table_text = styles.add_style("表格文字", 1)
    table_text.base_style = normal
    set_font(table_text, BODY_FONT, SIZE_4)
    paragraph_format(table_text, align=WD_ALIGN_PARAGRAPH.LEFT)
    table_text.paragraph_format.line_spacing = Pt(22)


def page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    doc.settings.odd_and_even_pages_header_footer = True
    page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def page_number(footer, align) -> None:
    """"— 1 —" in 4号 宋体, one character (of 4号) in from the right edge on odd pages and from
    the left edge on even pages (GB/T 9704 7.5)."""
    footer.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        footer.paragraph_format.right_indent = SIZE_4
    else:
        footer.paragraph_format.left_indent = SIZE_4
    footer.add_run("— ")
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    footer.add_run(" —")
    for r in footer.runs:
        set_font(r, "宋体", SIZE_4)


def font_table_alternatives(doc) -> None:
    """Name each official font in the font table with its alternative (w:altName)."""
    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt in ALT_FONTS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        el = etree.SubElement(font, qn("w:altName"))
        el.set(qn("w:val"), alt)
        el = etree.SubElement(font, qn("w:charset"))
        el.set(qn("w:val"), "86")
        el = etree.SubElement(font, qn("w:family"))
        el.set(qn("w:val"), "swiss" if "Sans" in alt else "roman")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def tag(doc, text: str) -> None:
    doc.add_paragraph(text)


NARROW = {"序号": Mm(14), "编号": Mm(16), "状态": Mm(22), "移交状态": Mm(24), "整改状态": Mm(24),
          "整改时限": Mm(30), "责任人": Mm(28), "移交对象": Mm(26), "责任主体": Mm(30), "依据底稿": Mm(26)}
TEXT_WIDTH = Mm(156)


def column_widths(header, n: int, width_first):
    """Narrow columns for numbers, dates and statuses; the rest share what is left."""
    if width_first is not None:
        return (width_first, TEXT_WIDTH - width_first)
    if not header:
        return None
    fixed = [NARROW.get(h) for h in header]
    free = sum(1 for w in fixed if w is None) or 1
    rest = (TEXT_WIDTH - sum(w for w in fixed if w is not None)) // free
    return tuple(Mm(w.mm) if w is not None else rest for w in fixed)


def header_row(row) -> None:
    """黑体, centred, repeated at the top of every page the table runs onto."""
    for cell in row.cells:
        for run in cell.paragraphs[0].runs:
            set_font(run, H1_FONT, SIZE_4)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def loop_table(doc, header: tuple[str, ...] | None, cells: list[str], loop: str, width_first=None) -> None:
    n = len(cells)
    rows = 3 + (1 if header else 0)
    table = doc.add_table(rows=rows, cols=n)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    r = 0
    if header:
        for i, h in enumerate(header):
            table.cell(0, i).text = h
        r = 1
    table.cell(r, 0).text = "{%tr for " + loop + " %}"
    for i, c in enumerate(cells):
        table.cell(r + 1, i).text = c
    table.cell(r + 2, 0).text = "{%tr endfor %}"
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.style = doc.styles["表格文字"]
    if header:
        header_row(table.rows[0])
    widths = column_widths(header, n, width_first)
    if widths:
        table.autofit = False
        for i, column in enumerate(table.columns):
            column.width = widths[i]
        for row in table.rows:
            for i, cell in enumerate(row.cells):
                cell.width = widths[i]


def body(doc, kind: str) -> None:
    tag(doc, "{%p if classification %}")
    p = doc.add_paragraph("{{ classification }}")
    set_font(p.runs[0], H1_FONT, SIZE_3)
    tag(doc, "{%p endif %}")
    if kind != "问题底稿审批单":
        doc.add_paragraph("{{ title }}", style="Title")
    tag(doc, "{%p if addressee %}")
    doc.add_paragraph("{{ addressee }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for t in opening %}")
    doc.add_paragraph("{{ t }}", style="正文")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for s in sections %}")
    doc.add_paragraph("{{ s.heading }}", style="Heading 1")
    tag(doc, "{%p for t in s.paragraphs %}")
    doc.add_paragraph("{{ t }}", style="正文")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for u in s.subsections %}")
    doc.add_paragraph("{{ u.heading }}", style="Heading 2")
    tag(doc, "{%p for t in u.paragraphs %}")
    doc.add_paragraph("{{ t }}", style="正文")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def tables(doc, kind: str) -> None:
    columns = COLUMNS.get(kind)
    if columns:
        tag(doc, "{%p if rows %}")
        doc.add_paragraph("{{ table_title }}", style="Heading 1")
        loop_table(doc, columns, ["{{ r.c[%d] }}" % i for i in range(len(columns))], "r in rows")
        tag(doc, "{%p endif %}")
    if kind == "问题底稿审批单":
        tag(doc, "{%p for f in forms %}")
        doc.add_paragraph("{{ f.heading }}", style="Title")
        loop_table(doc, None, ["{{ x.label }}", "{{ x.value }}"], "x in f.rows", width_first=Mm(40))
        tag(doc, "{%p if not loop.last %}")
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        tag(doc, "{%p endif %}")
        tag(doc, "{%p endfor %}")


def signature(doc) -> None:
    """发文机关署名 and 成文日期, kept on one page with the blank line before them (GB/T 9704
    7.3.5: the date is never alone on a page)."""
    doc.add_paragraph().paragraph_format.keep_with_next = True
    for text in ("{{ sender }}", "{{ date }}"):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(64)
        p.paragraph_format.keep_with_next = text != "{{ date }}"


def build(kind: str, out: Path) -> None:
    doc = Document()
    make_styles(doc)
    page_setup(doc)
    font_table_alternatives(doc)
    body(doc, kind)
    tables(doc, kind)
    signature(doc)
    props = doc.core_properties
    props.title, props.author, props.comments = kind, "xuncha-kb", "xuncha-kb 公文模板，可编辑，保留其中的花括号标记"
    doc.save(str(out))


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for kind in KINDS:
        build(kind, target / f"{kind}.docx")
        print(target / f"{kind}.docx")


if __name__ == "__main__":
    main()
