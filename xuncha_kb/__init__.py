"""xuncha-kb: a Logseq graph as the working system of a 巡察 office.

The package is a pure core (parse → model → compute → plan) with thin edges
(read files, write files, watch, CLI). Importing it stays cheap: heavy libraries
load inside the functions that use them.
"""

__version__ = "0.1.0"
