"""hoctap: a Jupyter kit for studying a yearly topic, quizzing learners and reporting progress."""

__version__ = "0.1.0"
