"""Spec → notebooks: the lessons trainers present and the nbgrader source notebooks of the assessments.

In: the topics (`hoctap.topic`). Out: `lessons/<year>/*.ipynb` and `assessments/source/<id>/<id>.ipynb`, byte for
byte reproducible (`build(check=True)` reports drift), each quiz slot with a hidden test that holds its keys. Open
`kit.py` first; it leans on nbformat."""

from hoctap import lazy_surface

SURFACE = {"build": "kit", "source_files": "sources", "source_text": "sources", "slots": "sources"}
__getattr__, __dir__, __all__ = lazy_surface(__name__, SURFACE)
