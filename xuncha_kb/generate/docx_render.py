"""A :class:`~xuncha_kb.generate.documents.Document` poured into a .docx template: bytes in,
bytes out.  The one module that imports docxtpl (lazily, so ``--help`` stays fast).

Fonts: the templates name the GB/T 9704 fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312)
and give each an alternative name in the font table, which Word uses where the font is absent.
LibreOffice ignores that table, so ``fonts="noto"`` writes the Noto CJK names into the
document itself, for machines that have only those.

Signature: GB/T 9704 7.3.5 wants 署名 and 成文日期 on the page where the body ends.  The
template keeps the blank line, the 署名 and the date together; after rendering, the last body
block before them (a paragraph, or a table's last row) is made to keep with them too — only
the rendered document knows which paragraph that is.
"""

from __future__ import annotations

from xuncha_kb.errors import InputError
from xuncha_kb.generate.documents import Document

FONT_CHOICES = ("gb", "noto")
#: Official font → the Noto CJK font used with ``fonts="noto"``.
NOTO_FONTS = {"方正小标宋简体": "Noto Serif CJK SC", "仿宋_GB2312": "Noto Serif CJK SC",
              "黑体": "Noto Sans CJK SC", "楷体_GB2312": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC"}


def render_docx(template: bytes, document: Document, *, template_name: str, fonts: str = "gb") -> bytes:
    """The document as .docx bytes; a broken template is the user's error naming the file."""
    import io
    import zipfile

    import jinja2
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(io.BytesIO(template))
        tpl.render(document.context(), autoescape=True)
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"公文模板有误：{exc}", file=template_name,
                         line=line if isinstance(line, int) else None,
                         hint="检查模板中的花括号标记（{{ }} 与 {% %}），"
                              "或删除图谱中的自定义模板改用内置模板。") from None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"公文模板不是有效的 Word 文件（{exc}）", file=template_name,
                         hint="请用 Word 或 LibreOffice 另存为 .docx。") from None
    _keep_body_with_signature(tpl.docx, document)
    if fonts == "noto":
        _rename_fonts(tpl.docx, NOTO_FONTS)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _rename_fonts(docx: object, names: dict[str, str]) -> None:
    """Rename, in memory, every font attribute naming a key of ``names`` (styles, body, headers
    and footers)."""
    from docx.document import Document as WordDocument
    from docx.opc.part import XmlPart
    from docx.oxml.ns import qn

    assert isinstance(docx, WordDocument)
    roots = [docx.styles.element, docx.element]
    # The footers as docxtpl left them: it replaces each footer part after rendering, while
    # ``section.footer`` still answers the part it had read first, which is not saved.
    parts = [rel.target_part for rel in docx.part.rels.values()
             if rel.reltype.endswith(("/footer", "/header"))]
    roots += [part.element for part in parts if isinstance(part, XmlPart)]
    attrs = [qn(f"w:{a}") for a in ("ascii", "hAnsi", "eastAsia", "cs")]
    for root in roots:
        for fonts in root.iter(qn("w:rFonts")):
            for attr in attrs:
                value = fonts.get(attr)
                if value in names:
                    fonts.set(attr, names[value])


def _keep_body_with_signature(docx: object, document: Document) -> None:
    """Keep-with-next on the blocks from the end of the body down to the 署名 (the paragraph
    reading ``document.sender`` just before the one reading ``document.date``); a template
    without those two paragraphs is left as it is."""
    from docx.document import Document as WordDocument
    from docx.oxml.ns import qn

    assert isinstance(docx, WordDocument)
    blocks = [el for el in docx.element.body.iterchildren() if el.tag in (qn("w:p"), qn("w:tbl"))]
    texts = ["".join(t.text or "" for t in el.iter(qn("w:t"))) if el.tag == qn("w:p") else None
             for el in blocks]
    ends = [i for i in range(1, len(blocks) - 1)
            if document.sender and texts[i] == document.sender and texts[i + 1] == document.date]
    if not ends:
        return
    for i in range(ends[-1] - 1, -1, -1):
        block = blocks[i]
        if block.tag == qn("w:tbl"):
            rows = block.findall(qn("w:tr"))
            for p in rows[-1].iter(qn("w:p")) if rows else ():
                _keep_next(p)
            return
        _keep_next(block)
        if texts[i]:
            return


def _keep_next(p: object) -> None:
    from docx.oxml.text.paragraph import CT_P

    assert isinstance(p, CT_P)
    p.get_or_add_pPr().keepNext_val = True
