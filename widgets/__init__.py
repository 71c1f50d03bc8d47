"""ipywidgets components of the kit: state classes hold no widgets; views compose and observe.

In: topics (`hoctap.topic`), a course's portal (`hoctap.attempts`) and gradebook tables (`hoctap.progress`), through
the stages' surfaces only. Out: one package per app, each importable alone: `lesson` (the lesson notebooks' widgets),
`quiz` (the learner's app: `learner_app`), `dashboard` (the instructor's: `progress_app`). Shared beside them:
`style` (the look, escaping), `inputs` (an input per question type), `sentences` (errors as one sentence).
"""
