"""The grading screen's keyboard shortcuts, as a small script the notebook's page runs once.

ipywidgets has no shortcuts of its own; Tab order and the radio group's arrow keys are the browser's. The script
only clicks or focuses the screen's own controls (found by their stable classes), so every shortcut does exactly
what the mouse would, through the widgets' own events:

- 1…9: choose that level of the rating scale (outside a text box), then put the cursor in the comment;
- Ctrl+Enter (also in the comment) or Alt+S: "Lưu và sang bài tiếp", after leaving the comment: the comment's text
  is sent when it loses the focus, ahead of the click (ipywidgets holds back a model's update while an earlier one
  is unanswered, but never a click, so a text sent as typed could arrive after the click); the next number then
  chooses the next submission's level;
- Alt+N / Alt+P: the next / previous submission.

It holds no learner data and no value from Python: a constant text, shown by the notebook as a script output.
"""

from __future__ import annotations

SCRIPT = r"""
(function () {
  if (window.hoctapGradingKeys) { return; }
  window.hoctapGradingKeys = true;
  function app() { return document.querySelector('.hoctap-grading-app'); }
  function click(cls) {
    var root = app(); if (!root) { return false; }
    var el = root.querySelector('.' + cls + ' button, button.' + cls);
    if (!el || el.disabled) { return false; }
    el.click(); return true;
  }
  document.addEventListener('keydown', function (e) {
    var root = app(); if (!root) { return; }
    var t = e.target, typing = t && (t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && t.type === 'text'));
    if ((e.ctrlKey && e.key === 'Enter') || (e.altKey && e.code === 'KeyS')) {
      // Leave the comment first: its text is sent on leaving (continuous_update off), before the click's message.
      if (typing) { t.blur(); }
      if (click('hoctap-grading-save')) { e.preventDefault(); }
      return;
    }
    if (e.altKey && (e.code === 'KeyN' || e.code === 'KeyP')) {
      if (click(e.code === 'KeyN' ? 'hoctap-grading-next' : 'hoctap-grading-prev')) { e.preventDefault(); }
      return;
    }
    if (typing || e.ctrlKey || e.altKey || e.metaKey || !/^[1-9]$/.test(e.key)) { return; }
    var radios = root.querySelectorAll('.hoctap-grading-scale input[type=radio]');
    var radio = radios[parseInt(e.key, 10) - 1];
    if (!radio || radio.disabled) { return; }
    e.preventDefault();
    radio.click();
    var note = root.querySelector('.hoctap-grading-comment textarea');
    if (note && !note.disabled) { note.focus(); }
  }, true);
})();
"""


def shortcuts():
    """The script as a display object (IPython's Javascript): shown once by the grading screen."""
    from IPython.display import Javascript

    return Javascript(SCRIPT)
