"""A :class:`~xuncha_kb.generate.documents.Document` poured into a .docx template: bytes in,
bytes out.  The one module that imports docxtpl (lazily, so ``--help`` stays fast).

Fonts: the templates name the GB/T 9704 fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312)
and give each an alternative name in the font table, which Word uses where the font is absent.
LibreOffice ignores that table, so ``fonts="noto"`` writes the Noto CJK names into the
document itself, for machines that have only those.
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
    if fonts == "noto":
        _rename_fonts(tpl.docx, NOTO_FONTS)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _rename_fonts(docx: object, names: dict[str, str]) -> None:
    """Rename, in memory, every font attribute naming a key of ``names`` (styles, body, footers)."""
    from docx.document import Document as WordDocument
    from docx.oxml.ns import qn

    assert isinstance(docx, WordDocument)
    roots = [docx.styles.element, docx.element]
    roots += [s.footer._element for s in docx.sections]
    attrs = [qn(f"w:{a}") for a in ("ascii", "hAnsi", "eastAsia", "cs")]
    for root in roots:
        for fonts in root.iter(qn("w:rFonts")):
            for attr in attrs:
                value = fonts.get(attr)
                if value in names:
                    fonts.set(attr, names[value])
