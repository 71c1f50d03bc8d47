"""The learner server's static files: gzipped once and kept in memory, and cached by the browser when their name
says their content.

What Voila 0.5.13 and jupyter_server 2 do without this (read in their code): Voila never sets tornado's
`compress_response`, so its page and its 95 static files (4.8 MB for the quiz page, mostly webpack bundles) went
uncompressed; `/voila/templates/…/static/` and `/voila/static/` are tornado StaticFileHandlers (ETag from a SHA-512
of the file, Last-Modified, no Cache-Control: the browser guesses); `/voila/labextensions/` is jupyter_server's
FileFindHandler with `no_cache_paths=["/"]` ("Cache-Control: no-cache" on everything, hashed names included).

Here, with `compress_response` on (learner_voila.py) tornado would gzip every response again for each request: forty
phones loading 4.8 MB is 190 MB to compress on a 2-core machine in the middle of a burst. These handlers answer a
client that accepts gzip with the file compressed once (kept in memory, keyed by path, size and mtime; ~1.2 MB in
all), which tornado's transform then leaves alone (it skips a response that already has a Content-Encoding).
Cache policy: a file whose name holds a content hash (webpack's `remoteEntry.<hash>.js`, `<id>.<hash>.js`, fonts
named by their hash) never changes under that name: "public, max-age=31536000, immutable". Any other file
(`voila.js` and its `<id>.voila.js` chunks, named by number only, which a Voila upgrade changes in place) is
"no-cache": the browser asks each time and gets 304 Not Modified with no body while it has the current version.
"""

from __future__ import annotations

import gzip
import os
import re
from functools import lru_cache

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import FileFindHandler
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

COMPRESSIBLE = (".js", ".css", ".json", ".svg", ".html", ".txt", ".map", ".ttf", ".eot", ".otf")
HASHED_NAME = re.compile(r"(^|[.-])[0-9a-f]{16,}([.-]|$)")  # remoteEntry.5f0c3e1a9b2d4c6e7f80.js, 1cb1c3….woff
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
GZIP_LEVEL = 6


def cache_control(path: str) -> str:
    return IMMUTABLE if HASHED_NAME.search(os.path.basename(path)) else REVALIDATE


@lru_cache(maxsize=512)
def _gzipped(path: str, size: int, mtime_ns: int) -> bytes:
    with open(path, "rb") as f:
        return gzip.compress(f.read(), compresslevel=GZIP_LEVEL, mtime=0)


class _Precompressed:
    """For a tornado StaticFileHandler: the cache policy above, and gzip from memory when the client accepts it."""

    def set_extra_headers(self, path: str) -> None:
        super().set_extra_headers(path)
        self.set_header("Cache-Control", cache_control(path))

    def _gzip_wanted(self, path: str) -> bool:
        headers = self.request.headers
        accepts = any(p.split(";")[0].strip() == "gzip" for p in headers.get("Accept-Encoding", "").split(","))
        return accepts and "Range" not in headers and path.lower().endswith(COMPRESSIBLE)

    async def get(self, path: str, include_body: bool = True) -> None:
        if not self._gzip_wanted(path):
            return await super().get(path, include_body)
        # tornado's StaticFileHandler.get up to its 304 check, then the compressed body in one write
        self.path = self.parse_url_path(path)
        absolute = self.get_absolute_path(self.root, self.path)
        self.absolute_path = self.validate_absolute_path(self.root, absolute)
        if self.absolute_path is None:
            return
        self.modified = self.get_modified_time()
        self.set_headers()
        etag = self._headers.get("Etag")
        if etag:  # another representation of the file: another entity tag
            self.set_header("Etag", etag[:-1] + '-gz"' if etag.endswith('"') else etag + "-gz")
        self.set_header("Vary", "Accept-Encoding")
        if self.should_return_304():
            self.set_status(304)
            return
        stat = os.stat(self.absolute_path)
        body = _gzipped(self.absolute_path, stat.st_size, stat.st_mtime_ns)
        self.set_header("Content-Encoding", "gzip")
        self.set_header("Content-Length", len(body))
        self.clear_header("Accept-Ranges")
        if include_body:
            self.write(body)


class CachedTemplateStaticFileHandler(_Precompressed, TemplateStaticFileHandler):
    """`/voila/templates/<template>/static/…`: Voila's bundles (voila.js and its chunks)."""


class CachedMultiStaticFileHandler(_Precompressed, MultiStaticFileHandler):
    """`/voila/static/…`."""


class CachedFileFindHandler(_Precompressed, FileFindHandler):
    """`/voila/labextensions/…`: the widget manager's and other lab extensions' bundles."""

    @allow_unauthenticated  # as FileFindHandler.get (jupyter_server checks the method it calls)
    async def get(self, path: str, include_body: bool = True) -> None:
        return await super().get(path, include_body)

    def set_headers(self) -> None:
        super().set_headers()  # FileFindHandler's "no-cache" for everything, replaced by the policy above
        self.set_header("Cache-Control", cache_control(self.path))
