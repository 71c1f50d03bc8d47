"""The learner's app (`notebooks/learner/quiz.ipynb`): log in, see one's assessments, take a quiz or write a
commitment, see the result.

In: a course (its root folder) and the learner's clicks; every rule is the server's (`hoctap.attempts.Portal`).
Out: `learner_app`, its `LearnerApp` and screens, its state (`AppState`, `QuizState`, `CommitmentState`) and the
sentences it shows. Nothing here imports pandas, nbgrader or the dashboard: a learner's kernel stays light.

`app` switches the screens (`login`, `offers`, `questions`, `commitment`, `result`, built from `parts` and closed by
`closing`); `app_state` is the state machine, `attempt_state` the attempt on screen, `rows` the list, `texts` the
numbers and times as written, `timers` the kernel loop's timers (polling, debounced saves), `countdown` the time left.
"""

from .app import LearnerApp, LoopTicker, learner_app
from .app_state import GAVE_UP, SAVE_DELAY, TIME_UP_EMPTY, TIME_UP_SENT, UNEXPECTED, AppState, sentence
from .attempt_state import CommitmentState, QuizState
from .closing import widget_tree
from .countdown import Countdown, left_text
from .login import LoginView
from .offers import OffersView
from .questions import QuizView
from .result import ResultView
from .texts import AWAITING, evaluation_text, score_text

__all__ = [
    "AWAITING",
    "GAVE_UP",
    "SAVE_DELAY",
    "TIME_UP_EMPTY",
    "TIME_UP_SENT",
    "UNEXPECTED",
    "AppState",
    "CommitmentState",
    "Countdown",
    "LearnerApp",
    "LoginView",
    "LoopTicker",
    "OffersView",
    "QuizState",
    "QuizView",
    "ResultView",
    "evaluation_text",
    "learner_app",
    "left_text",
    "score_text",
    "sentence",
    "widget_tree",
]
