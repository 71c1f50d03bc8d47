"""`HoctapAuthenticator`: JupyterHub logs learners in with their roster id and access code, instructors with theirs.

    c.JupyterHub.authenticator_class = "hoctap.hub.auth.HoctapAuthenticator"
    c.HoctapAuthenticator.db_url = "postgresql+psycopg2://…"     # default: HOCTAP_DB_URL, else the kit's gradebook

The codes are the kit's (`hoctap roster import` hands them out, `hoctap staff add` for instructors), checked against
their scrypt hashes in the gradebook: the hub keeps no password of its own. A wrong code costs the same time for a
name on the roster and one that is not (a dummy hash: no "who exists" oracle); `max_failures` wrong codes in a row
lock the account for `lockout_seconds` (HTTP 429 on the login form, the wait said in Vietnamese and English), and ten
times as many from one address lock the address (`throttle.py`). Hashing runs in a thread: 55 ms of scrypt must not
hold the hub's event loop, which serves every other learner meanwhile.

Groups (`manage_groups`): a learner joins `unit-<unit id>` and `role-<role id>`, an instructor `instructors`; the
hub's roles give the groups their scopes (`config.py`).
"""

from __future__ import annotations

import asyncio
import os
import threading

from jupyterhub.auth import Authenticator
from sqlalchemy import select
from tornado import web
from traitlets import Integer, Unicode, default

from hoctap.course import code_matches, engine_for, hash_code, learner, new_code

from .identity import INSTRUCTORS_GROUP
from .staff import ensure_staff_table, instructor_hash
from .throttle import Throttle

MAX_NAME = 64  # longer input is cut before any lookup: a roster id or instructor name is far shorter
MAX_CODE = 64


class HoctapAuthenticator(Authenticator):
    """Roster id + access code (learners) or name + code (instructors), checked against the kit's hashes."""

    db_url = Unicode(config=True, help="The gradebook with the hashed codes (default: HOCTAP_DB_URL, else the kit's).")
    max_failures = Integer(5, config=True, help="Wrong codes in a row before an account is locked.")
    lockout_seconds = Integer(300, config=True, help="How long a locked account (or address) waits.")

    @default("db_url")
    def _default_db_url(self):
        if url := os.environ.get("HOCTAP_DB_URL"):
            return url
        from hoctap.course import course_at
        from hoctap.topic import layout

        return course_at(layout().assessments).db_url

    # The roster is the list of who may log in: a learner the kit knows is allowed, nobody else can authenticate.
    @default("allow_all")
    def _default_allow_all(self):
        return True

    @default("manage_groups")
    def _default_manage_groups(self):
        return True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.throttle = Throttle(max_failures=self.max_failures, lockout_seconds=self.lockout_seconds)
        self._engine = None
        self._opening = threading.Lock()
        self._dummy = hash_code(new_code())

    @property
    def engine(self):
        """The gradebook's engine, opened once (logins run in threads: the first ones arrive together)."""
        with self._opening:
            if self._engine is None:
                engine = engine_for(self.db_url)
                ensure_staff_table(engine)
                self._engine = engine
        return self._engine

    async def authenticate(self, handler, data):
        name = self.normalize_username((data or {}).get("username") or "")[:MAX_NAME]
        code = ((data or {}).get("password") or "")[:MAX_CODE]
        address = handler.request.remote_ip if handler is not None else None
        wait = self.throttle.wait_left(name, address)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            raise web.HTTPError(
                429,
                f"Đăng nhập sai quá nhiều lần: thử lại sau khoảng {minutes} phút / "
                f"too many failed logins: try again in about {minutes} min",
            )
        who = await asyncio.get_running_loop().run_in_executor(None, self._check, name, code)
        if who is None:
            self.throttle.failed(name, address)
            self.log.warning("hoctap: failed login for %r from %s", name, address)
            return None
        self.throttle.succeeded(name)
        return who

    def _check(self, name: str, code: str) -> dict | None:
        """The hub user for these credentials, or None; always one scrypt hash, whoever asks."""
        if not name or not code:
            code_matches(code, self._dummy)
            return None
        staff_hash = instructor_hash(self.engine, name)
        if staff_hash is not None:
            return {"name": name, "groups": [INSTRUCTORS_GROUP]} if code_matches(code, staff_hash) else None
        with self.engine.connect() as db:
            row = db.execute(
                select(learner.c.code_hash, learner.c.unit_id, learner.c.role).where(learner.c.student_id == name)
            ).first()
        if row is None or row.code_hash is None:
            code_matches(code, self._dummy)
            return None
        if not code_matches(code, row.code_hash):
            return None
        return {"name": name, "groups": [f"unit-{row.unit_id}", f"role-{row.role}"]}
