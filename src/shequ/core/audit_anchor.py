"""Anchors of the audit chain outside the database (DESIGN R12).

An HMAC chain proves rows were not rewritten, but someone holding the database can still delete the newest
rows or empty the table and leave a chain that verifies. So every minute the worker appends the chain's head
(sequence number and seal) to an anchor file it opens append-only (operators make it append-only for the OS
too, `chattr +a`) and, if configured, sends it to syslog. Each anchor line carries an HMAC under the audit
key, so lines cannot be forged without the key. `check_anchors` compares the database with the anchors:

- every anchored sequence number must still exist with the same seal (rows missing at the end, a table that
  was emptied, a rewritten head all fail here);
- the newest anchor must be recent, otherwise anchoring has stopped.

After a legitimate restore from backup the anchors run ahead of the database; `append_anchor(event="reset")`
records the restored head with a reason, and anchors before it that lie beyond it are no longer expected.
"""

import hashlib
import hmac
import json
import logging
import logging.handlers
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from . import audit
from .audit_keys import AuditKeyring, load_audit_keyring
from .models import AuditRecord

logger = logging.getLogger("shequ.audit.anchor")

ANCHOR_VERSION = 1
EVENT_HEAD = "head"
EVENT_RESET = "reset"


def anchor_file() -> Path:
    configured = getattr(settings, "SHEQU_AUDIT_ANCHOR_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit" / "anchors.jsonl"


def _mac(key: bytes, line: dict[str, Any]) -> str:
    body = {k: v for k, v in line.items() if k != "mac"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Anchor:
    at: datetime
    seq: int
    hash: str
    event: str = EVENT_HEAD
    reason: str = ""
    line_no: int = 0


def append_anchor(*, event: str = EVENT_HEAD, reason: str = "", seal: bool = True) -> Anchor:
    """Seal pending rows, then append the chain's head to the anchor file (and syslog when configured).

    The file is opened with O_APPEND (never rewritten, never truncated) and created mode 0600 in a 0700
    directory. A line is written with one write() call and flushed to disk before returning.
    """
    if seal:
        audit.seal_pending()
    ring = load_audit_keyring(required=True)
    assert ring is not None
    seq, head = audit.chain_head()
    now = timezone.now()
    line: dict[str, Any] = {
        "v": ANCHOR_VERSION,
        "at": now.isoformat(),
        "event": event,
        "seq": seq,
        "hash": head,
        "kid": ring.active,
    }
    if reason:
        line["reason"] = reason[:500]
    line["mac"] = _mac(ring.active_key, line)
    data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    _to_syslog(data.decode().rstrip("\n"))
    return Anchor(now, seq, head, event, reason)


_syslog_handler: logging.Handler | None = None


def _to_syslog(text: str) -> None:
    global _syslog_handler
    address = getattr(settings, "SHEQU_AUDIT_ANCHOR_SYSLOG", "")
    if not address:
        return
    if _syslog_handler is None:
        host, _, port = address.rpartition(":")
        target: Any = (host, int(port)) if host and port.isdigit() else address
        _syslog_handler = logging.handlers.SysLogHandler(address=target)
    record = logging.LogRecord("shequ.audit.anchor", logging.INFO, "", 0, f"shequ-audit-anchor {text}", None, None)
    _syslog_handler.emit(record)


@dataclass
class AnchorLog:
    anchors: list[Anchor] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_anchors(ring: AuditKeyring, path: Path | None = None) -> AnchorLog:
    """Parse the anchor file; a line that does not parse or whose HMAC fails is reported, not trusted."""
    path = path or anchor_file()
    log = AnchorLog()
    if not path.exists():
        return log
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                key = ring.keys.get(line["kid"])
                if key is None:
                    log.problems.append(f"anchor line {n}: audit key {line['kid']!r} is not in the keyring")
                    continue
                if not hmac.compare_digest(_mac(key, line), str(line["mac"])):
                    log.problems.append(f"anchor line {n}: its HMAC does not match (forged or altered)")
                    continue
                log.anchors.append(
                    Anchor(
                        datetime.fromisoformat(line["at"]),
                        int(line["seq"]),
                        str(line["hash"]),
                        str(line.get("event", EVENT_HEAD)),
                        str(line.get("reason", "")),
                        n,
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                log.problems.append(f"anchor line {n}: unreadable ({exc.__class__.__name__})")
    return log


def expected_heads(anchors: list[Anchor]) -> dict[int, str]:
    """The seals the database must still hold, by sequence number, after applying resets in file order."""
    expected: dict[int, str] = {}
    for a in anchors:
        if a.event == EVENT_RESET:
            expected = {s: h for s, h in expected.items() if s <= a.seq}
        if a.seq > 0:
            expected[a.seq] = a.hash
    return expected


@dataclass(frozen=True)
class AnchorCheck:
    ok: bool
    problem: str = ""
    anchors: int = 0
    last_anchor_at: datetime | None = None
    last_anchored_seq: int = 0
    stale: bool = False  # anchoring stopped (no anchor, or the newest is too old)

    @property
    def healthy(self) -> bool:
        return self.ok and not self.stale


def check_anchors(*, full: bool = True, now: datetime | None = None, ring: AuditKeyring | None = None) -> AnchorCheck:
    """Compare the sealed chain in the database with the anchors outside it.

    `full` compares every anchored head; otherwise only the newest (the cheap check run every few minutes,
    which is what catches deleted newest rows and an emptied table). Anchors only name sealed rows, so
    unsealed rows do not matter here.
    """
    ring = ring or load_audit_keyring(required=True)
    assert ring is not None
    log = read_anchors(ring)
    now = now or timezone.now()
    max_age = timedelta(seconds=getattr(settings, "SHEQU_AUDIT_ANCHOR_MAX_AGE_SECONDS", 300))
    last = log.anchors[-1] if log.anchors else None
    stale = last is None or now - last.at > max_age
    info: dict[str, Any] = {
        "anchors": len(log.anchors),
        "last_anchor_at": last.at if last else None,
        "last_anchored_seq": last.seq if last else 0,
        "stale": stale,
    }
    if log.problems:
        return AnchorCheck(False, "; ".join(log.problems[:3]), **info)
    expected = expected_heads(log.anchors)
    if not expected:
        return AnchorCheck(True, **info)
    top = max(expected)
    db_seq, _ = audit.chain_head()
    if db_seq == 0:
        return AnchorCheck(
            False,
            f"the audit table holds no sealed rows, but anchors reach seq {top}: the table was emptied",
            **info,
        )
    if db_seq < top:
        return AnchorCheck(
            False,
            f"rows missing at the end: anchors reach seq {top}, the table ends at seq {db_seq} "
            f"({top - db_seq} newest row(s) deleted)",
            **info,
        )
    seqs = sorted(expected) if full else [top]
    for start in range(0, len(seqs), 2000):
        chunk = seqs[start : start + 2000]
        found = dict(AuditRecord.objects.filter(seq__in=chunk).values_list("seq", "hash"))
        for s in chunk:
            if s not in found:
                return AnchorCheck(False, f"anchored row seq {s} is missing from the table", **info)
            if not hmac.compare_digest(found[s], expected[s]):
                return AnchorCheck(
                    False,
                    f"the seal of row seq {s} does not match its anchor (rows rewritten and re-sealed)",
                    **info,
                )
    return AnchorCheck(True, **info)


@dataclass(frozen=True)
class IntegrityReport:
    chain: audit.VerifyResult | None
    anchors: AnchorCheck

    @property
    def ok(self) -> bool:
        return (self.chain is None or self.chain.ok) and self.anchors.ok

    @property
    def problems(self) -> list[str]:
        out = []
        if self.chain is not None and not self.chain.ok:
            out.append(f"chain broken at seq {self.chain.first_bad_seq}: {self.chain.problem}")
        if not self.anchors.ok:
            out.append(self.anchors.problem)
        if self.anchors.stale:
            when = self.anchors.last_anchor_at.isoformat() if self.anchors.last_anchor_at else "never"
            out.append(f"anchoring stopped: newest anchor {when}")
        return out


def integrity_check(*, full: bool) -> IntegrityReport:
    """Seal, then verify: the whole chain and every anchor when `full`, else only the newest anchor."""
    ring = load_audit_keyring(required=True)
    audit.seal_pending()
    chain = audit.verify_chain(ring) if full else None
    return IntegrityReport(chain, check_anchors(full=full, ring=ring))
