"""logseq layer of xuncha_kb (see docs/architecture.md).

Importing it first decides whether the reader's hot modules run compiled or as pure Python
(see ``native.py``); that has to happen before any of them is imported.
"""

import os as _os

from xuncha_kb.logseq import native as _native

_native.select(__name__, _os.path.dirname(_os.path.abspath(__file__)))
