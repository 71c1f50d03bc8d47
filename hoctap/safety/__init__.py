"""What learners and imported files supply, made harmless wherever it is shown (light: no pandas at import).

In: text as typed or stored. Out: inert markdown for nbgrader's cells (`inert_markdown`), whole HTML pages cut to an
allow-list with a no-script policy (`sanitize_document`), spreadsheet cells that keep every character and run no
formula (`cell`, `visible`). Open `inert.py` first; it leans on nothing but the standard library."""

from hoctap import lazy_surface

SURFACE = {
    "inert_markdown": "inert",
    "is_inert": "inert",
    "make_inert": "inert",
    "sanitize_document": "allowlist",
    "disallowed": "allowlist",
    "CSP_META": "allowlist",
    "cell": "cells",
    "visible": "cells",
    "encodable": "cells",
    "printable": "cells",
    "text_cells": "cells",
    "defused": "cells",
}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
