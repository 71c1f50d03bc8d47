"""nbconvert exporters for the two pages nbgrader makes from a learner's submission, made safe to open.

- `FeedbackExporter` (nbgrader's `GenerateFeedback.exporter_class`, set by `Course.nbgrader_config`): the feedback
  page, a file people open from disk or download. Learner-written cells become inert text
  (`hoctap.safety.make_inert`), then the whole page goes through the kit's allow-list
  (`hoctap.safety.sanitize_document`), which also puts a no-script Content-Security-Policy in its head.
- `GradingPageExporter` (formgrader's grading page, swapped in by `hoctap.serve.instructor_guard`): the page must run
  nbgrader's grading scripts, so it is not cut down; learner-written cells become inert text and the student's
  name, which nbgrader's template prints unescaped into the page's navigation bar, is escaped. The page's
  Content-Security-Policy comes from `instructor_guard`.
"""

from __future__ import annotations

import copy
import html
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from traitlets import default

from hoctap.safety import make_inert, sanitize_document

# What formgrader's SubmissionHandler puts in the resources from the gradebook: printed raw by its template.
NAME_FIELDS = ("first_name", "last_name", "student")


def _inert_copy(nb: Any) -> Any:
    nb = copy.deepcopy(nb)
    make_inert(nb)
    return nb


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page, with learners' words as text and nothing outside the kit's allow-list."""

    def from_notebook_node(self, nb, resources=None, **kw):
        output, resources = super().from_notebook_node(_inert_copy(nb), resources, **kw)
        return sanitize_document(output), resources


# Templates of the kit's that stand in for nbconvert's on formgrader's grading page (mathjax.html.j2 says why).
FORMGRADER_STAND_INS = Path(__file__).resolve().parent / "formgrader_templates"


class GradingPageExporter(HTMLExporter):
    """formgrader's grading page, with learners' words as text and the student's name escaped, and MathJax's CDN
    replaced by a stand-in (FORMGRADER_STAND_INS, searched before every other template folder)."""

    @default("template_paths")
    def _template_paths(self, prune=True, root_dirs=None):
        return [str(FORMGRADER_STAND_INS), *super()._template_paths(prune, root_dirs)]

    def from_notebook_node(self, nb, resources=None, **kw):
        if resources:
            resources = dict(resources)
            for field in NAME_FIELDS:
                if isinstance(resources.get(field), str):
                    resources[field] = html.escape(resources[field], quote=True)
        return super().from_notebook_node(_inert_copy(nb), resources, **kw)
