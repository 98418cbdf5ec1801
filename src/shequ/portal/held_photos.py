"""Photos of a report that failed, held for the resident's next try (issue 13: a failed submission keeps them).

A browser cannot put files back into a file input, so the server keeps them: each uploaded photo that passed
`cases.photos.clean_photo` (re-encoded, no EXIF) is sealed with the keyring (`core.crypto.seal_blob`) into a
private directory under the media directory, named by a random token kept only in the resident's session. The
form shows them again (served only to that session) with a "keep" box each; the next submission attaches the
kept ones. They last `TTL` seconds; expired sets are deleted whenever photos are held, and a set is deleted when
the report goes through or the session ends without it (then by expiry).
"""

import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from shequ.cases.photos import MAX_PHOTOS, CleanPhoto
from shequ.core import crypto
from shequ.core.filemodes import make_private_dir

SESSION_KEY = "portal_held_photos"
PURPOSE = "portal.held_photo"
TTL = 60 * 60  # seconds
_NAME = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
EXTENSIONS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class HeldPhoto:
    id: str
    extension: str


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "held-photos"  # private like the case photos, never served directly


crypto.register_sealed_files(
    crypto.SealedFiles(label="portal.held_photos", purpose=PURPOSE, paths=lambda: _root().glob("*/*.sealed"))
)


def _state(session: Any) -> dict | None:
    state = session.get(SESSION_KEY)
    if not state or not _NAME.match(state.get("token", "")) or time.time() - state.get("at", 0) > TTL:
        return None
    return state


def held(session: Any) -> list[HeldPhoto]:
    """The photos held for this session (oldest first)."""
    state = _state(session)
    return [HeldPhoto(i, e) for i, e in state["photos"]] if state else []


def hold(session: Any, photos: list[CleanPhoto]) -> None:
    """Add cleaned photos to the session's held set (at most MAX_PHOTOS in all), sealed on disk."""
    purge_expired()
    state = _state(session) or {"token": secrets.token_urlsafe(16), "photos": []}
    folder = _root() / state["token"]
    make_private_dir(folder)
    for photo in photos[: max(0, MAX_PHOTOS - len(state["photos"]))]:
        photo_id = secrets.token_urlsafe(12)
        path = folder / f"{photo_id}.{photo.extension}.sealed"
        path.write_bytes(crypto.seal_blob(photo.content, purpose=PURPOSE))
        path.chmod(0o600)
        state["photos"].append([photo_id, photo.extension])
    state["at"] = int(time.time())
    session[SESSION_KEY] = state


def keep_only(session: Any, ids: list[str]) -> list[CleanPhoto]:
    """Forget the held photos not in `ids`; return the kept ones, opened."""
    state = _state(session)
    if state is None:
        return []
    folder = _root() / state["token"]
    kept, rows = [], []
    for photo_id, ext in state["photos"]:
        path = folder / f"{photo_id}.{ext}.sealed"
        if photo_id in ids and path.exists():
            kept.append(CleanPhoto(crypto.open_blob(path.read_bytes(), purpose=PURPOSE), ext))
            rows.append([photo_id, ext])
        else:
            path.unlink(missing_ok=True)
    state["photos"] = rows
    session[SESSION_KEY] = state
    return kept


def content(session: Any, photo_id: str) -> tuple[bytes, str] | None:
    """The bytes and content type of one held photo of this session, or None."""
    state = _state(session)
    for held_id, ext in state["photos"] if state else []:
        if held_id == photo_id:
            path = _root() / state["token"] / f"{held_id}.{ext}.sealed"
            if path.exists():
                return crypto.open_blob(path.read_bytes(), purpose=PURPOSE), EXTENSIONS[ext]
    return None


def clear(session: Any) -> None:
    """Delete the session's held photos (after the report went through)."""
    state = session.pop(SESSION_KEY, None)
    if state and _NAME.match(state.get("token", "")):
        shutil.rmtree(_root() / state["token"], ignore_errors=True)


def purge_expired(now: float | None = None) -> int:
    """Delete held sets older than TTL; returns how many."""
    now = time.time() if now is None else now
    root, removed = _root(), 0
    if not root.exists():
        return 0
    for folder in root.iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > TTL:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
