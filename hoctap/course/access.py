"""Access codes: how a learner proves who they are in standalone mode (under JupyterHub the hub does it).

A code is 8 characters from an alphabet without look-alikes (no 0/o, 1/l/i), shown as `abcd-2345`: easy to read
aloud and to type on a phone. It is drawn with `secrets` (31⁸ ≈ 8.5 × 10¹¹ codes) and kept in the gradebook only
as a salted scrypt hash, `scrypt:N:r:p$salt$hash` (the parameters travel with the hash, so they can be raised
later without invalidating codes already handed out). The code in clear exists only in the codes file written for
the trainer (`hoctap.course.roster_import`).

    verify_code(db_url, "tn-0001", "ABCD 2345")   # case, spaces and hyphens do not matter
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from hoctap.errors import GradebookError

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8
GROUP = 4
# scrypt cost: about 55 ms a hash here (16 MiB of memory): cheap for one login, slow for guessing a leaked hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
MAX_MEMORY = 64 * 1024 * 1024  # refuse stored parameters that would need more
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_.]+")


def new_code() -> str:
    """A fresh code, grouped for reading aloud: `abcd-2345`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalise_code(typed: str) -> str:
    """What the learner typed, as the code is hashed: lower case, no spaces or hyphens (`ABCD 2345` → `abcd2345`)."""
    return _SEPARATORS.sub("", typed or "").lower()


def hash_code(code: str, *, salt: bytes | None = None) -> str:
    """The stored form of a code: `scrypt:N:r:p$salt$hash` (salt and hash in unpadded URL-safe base64)."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(normalise_code(code), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def code_matches(typed: str, stored: str | None) -> bool:
    """True when `typed` is the code whose hash is `stored`; compared in constant time."""
    try:
        scheme, salt_text, digest_text = (stored or "").split("$")
        name, n, r, p = scheme.split(":")
        if name != "scrypt":
            return False
        salt, expected = _unb64(salt_text), _unb64(digest_text)
        actual = _scrypt(normalise_code(typed), salt, int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash no code matches: an unknown learner costs the same time as a known one (no "who exists" oracle).
_DUMMY = None


def verify_code(db_url: str, student_id: str, code: str) -> bool:
    """True when `code` is the access code of `student_id` in the gradebook at `db_url`.

    An unknown learner, a learner without a code and a wrong code all give False, in about the same time. Raises
    GradebookError when the database cannot be read (not yet created: run `hoctap roster import` first).
    """
    from sqlalchemy import create_engine, select

    from .tables import learner, safe_url

    global _DUMMY
    engine = create_engine(db_url, future=True)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                select(learner.c.code_hash).where(learner.c.student_id == str(student_id))
            ).scalar_one_or_none()
    except Exception as error:
        raise GradebookError(
            f"không đọc được mã truy cập trong gradebook {safe_url(db_url)} ({type(error).__name__}); "
            "đã nhập danh sách học viên chưa? chạy `hoctap roster import TỆP`"
        ) from error
    finally:
        engine.dispose()
    if stored is None:
        if _DUMMY is None:
            _DUMMY = hash_code(new_code())
        code_matches(code, _DUMMY)
        return False
    return code_matches(code, stored)


def _scrypt(code: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(code.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
