"""Writes on accounts: authentication with lockout and TOTP, tokens, roles, turnover.

Every write service checks permission, validates, writes in one transaction and appends an audit record.

Signing in is the exception: `authenticate_credentials`, `verify_second_factor` and `token_authenticate` are
called for a visitor who is not signed in yet, so there is no actor to check (they establish who the actor is);
they count failures towards the lockout and audit as a visitor (actor None) or as the user who signed in.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit, handover
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service
from shequ.core.secrets_box import decrypt, encrypt

from .domain import ROLE_SPECS, Role, level_allowed, requires_second_factor, separation_conflict
from .models import ApiToken, RoleAssignment, User, UserSession

TOTP_PURPOSE = "accounts.totp"
UNKNOWN_NAME_SHOWN = 20  # characters of a typed unknown username kept (masked) in the audit log


class AuthOutcome(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    INACTIVE = "inactive"
    OTP_REQUIRED = "otp_required"
    OTP_INVALID = "otp_invalid"
    ENROL_REQUIRED = "enrol_required"


@dataclass(frozen=True)
class AuthResult:
    outcome: AuthOutcome
    user: User | None = None
    message: str = ""


def _user_roles(user: User) -> set[str]:
    return set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))


def second_factor_required(user: User) -> bool:
    return user.totp_enabled or requires_second_factor(_user_roles(user))


def _locked_message(until: datetime) -> str:
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return _("连续登录失败次数过多，账号已锁定，请 %(minutes)d 分钟后再试或联系安全管理员。") % {"minutes": minutes}


def _unknown_key(username: str) -> str:
    return "accounts:unknown-login:" + hashlib.sha256(username.encode()).hexdigest()[:40]


def _unknown_locked_until(username: str) -> datetime | None:
    until = cache.get(_unknown_key(username), {}).get("until")
    return until if until is not None and until > timezone.now() else None


def _unknown_user_failure(username: str) -> AuthResult:
    """Count a failed login for a username no account holds, and answer exactly as for an account.

    The failures are counted in the cache with the real lockout's threshold and duration, so the "locked"
    message (and its minutes) comes after the same number of tries whether or not the account exists. The
    audit record keeps the typed name masked and cut short: it may be someone's mobile or a mistyped password.
    """
    key = _unknown_key(username)
    state = cache.get(key) or {"count": 0, "until": None}
    state["count"] += 1
    locked = state["count"] >= settings.SHEQU_LOCKOUT_THRESHOLD
    if locked:
        state = {"count": 0, "until": timezone.now() + timedelta(minutes=settings.SHEQU_LOCKOUT_MINUTES)}
    cache.set(key, state, timeout=24 * 3600)
    audit.record(
        actor=None,
        action="accounts.login_failed",
        object_type="accounts.user",
        after={"reason": "unknown_user", "username": mask_text(username)[:UNKNOWN_NAME_SHOWN]},
    )
    if locked:
        until: datetime = state["until"]
        return AuthResult(AuthOutcome.LOCKED, None, _locked_message(until))
    return AuthResult(AuthOutcome.INVALID, None, _("用户名或密码错误"))


def _register_failure(user: User, reason: str) -> AuthResult:
    user.failed_login_count += 1
    fields = ["failed_login_count"]
    until = None
    if user.failed_login_count >= settings.SHEQU_LOCKOUT_THRESHOLD:
        until = user.locked_until = timezone.now() + timedelta(minutes=settings.SHEQU_LOCKOUT_MINUTES)
        user.failed_login_count = 0
        fields.append("locked_until")
    user.save(update_fields=fields)
    audit.record(actor=None, action="accounts.login_failed", obj=user, after={"reason": reason})
    if until is not None:
        audit.record(actor=None, action="accounts.locked", obj=user, after={"until": str(until)})
        return AuthResult(AuthOutcome.LOCKED, None, _locked_message(until))
    if reason == "otp":
        return AuthResult(AuthOutcome.OTP_INVALID, None, _("动态验证码错误或已过期"))
    return AuthResult(AuthOutcome.INVALID, None, _("用户名或密码错误"))


def authenticate_credentials(*, username: str, password: str, otp: str | None = None) -> AuthResult:
    """Check username, password and (where required) a TOTP code, counting failures towards lockout.

    Used by the login page (otp=None: the second step comes separately) and the token endpoint.
    Locks the user row so concurrent guesses are all counted.
    """
    username = (username or "").strip()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            if (until := _unknown_locked_until(username)) is not None:
                return AuthResult(AuthOutcome.LOCKED, None, _locked_message(until))
            User().set_password(password)  # equalise timing with the existing-user path
            return _unknown_user_failure(username)
        if user.locked_until and user.locked_until > timezone.now():
            return AuthResult(AuthOutcome.LOCKED, None, _locked_message(user.locked_until))
        if not user.check_password(password):
            return _register_failure(user, "password")
        if not user.is_active:
            return AuthResult(AuthOutcome.INACTIVE, None, _("账号已停用，请联系安全管理员"))
        if second_factor_required(user):
            if not user.totp_enabled:
                if otp is not None:
                    return AuthResult(AuthOutcome.ENROL_REQUIRED, None, _("该账号须先在网页上设置双因素认证"))
                return AuthResult(AuthOutcome.ENROL_REQUIRED, user)
            if otp is None:
                return AuthResult(AuthOutcome.OTP_REQUIRED, user)
            if not _totp_check(user, otp):
                return _register_failure(user, "otp")
        _register_success(user)
        return AuthResult(AuthOutcome.OK, user)


def verify_second_factor(*, user_id: int, otp: str) -> AuthResult:
    """Complete a login whose password step passed: check the TOTP code, counting failures."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            return AuthResult(AuthOutcome.INVALID, None, _("登录已失效，请重新登录"))
        if user.locked_until and user.locked_until > timezone.now():
            return AuthResult(AuthOutcome.LOCKED, None, _locked_message(user.locked_until))
        if not user.totp_enabled or not _totp_check(user, otp):
            return _register_failure(user, "otp")
        _register_success(user)
        return AuthResult(AuthOutcome.OK, user)


def _register_success(user: User) -> None:
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login = timezone.now()
    user.save(update_fields=["failed_login_count", "locked_until", "last_login", "totp_last_counter"])
    audit.record(actor=user, action="accounts.login", obj=user)


@write_service("accounts.manage_own_security")
def session_register(*, actor: User, session_key: str, ip: str, user_agent: str) -> None:
    """Remember the web session `actor` has just signed in with (ended by "log out everywhere")."""
    require(actor, "accounts.manage_own_security", actor)
    UserSession.objects.update_or_create(
        session_key=session_key, defaults={"user": actor, "ip": ip[:64], "user_agent": user_agent[:200]}
    )


# --- TOTP -----------------------------------------------------------------------------------------


def _totp(user: User, *, pending: bool = False) -> pyotp.TOTP:
    ciphertext = user.totp_pending_encrypted if pending else user.totp_secret_encrypted
    return pyotp.TOTP(decrypt(ciphertext, purpose=TOTP_PURPOSE))


def _totp_check(user: User, code: str, *, pending: bool = False) -> bool:
    """Accept the current or adjacent 30-second step once (a used step cannot be replayed)."""
    code = (code or "").strip().replace(" ", "")
    ciphertext = user.totp_pending_encrypted if pending else user.totp_secret_encrypted
    if not ciphertext or not code.isdigit() or len(code) != 6:
        return False
    totp = _totp(user, pending=pending)
    now = timezone.now()
    for drift in (0, -1, 1):
        moment = now + timedelta(seconds=30 * drift)
        counter = totp.timecode(moment)
        if counter > user.totp_last_counter and secrets.compare_digest(totp.at(moment), code):
            user.totp_last_counter = counter
            return True
    return False


@write_service("accounts.manage_own_security")
def totp_begin_enrolment(*, actor: User) -> str:
    """Create a pending TOTP secret for `actor` and return its provisioning URI; the active factor stays until
    confirmed. During a login that requires enrolment, `actor` is the user whose password was just checked."""
    require(actor, "accounts.manage_own_security", actor)
    secret = pyotp.random_base32()
    with transaction.atomic():
        actor.totp_pending_encrypted = encrypt(secret, purpose=TOTP_PURPOSE)
        actor.save(update_fields=["totp_pending_encrypted"])
        audit.record(actor=actor, action="accounts.totp_enrolment_started", obj=actor)
    return pyotp.TOTP(secret).provisioning_uri(name=actor.username, issuer_name="shequ")


def totp_pending_secret_of(user: User) -> str:
    return decrypt(user.totp_pending_encrypted, purpose=TOTP_PURPOSE) if user.totp_pending_encrypted else ""


def totp_secret_of(user: User) -> str:
    return decrypt(user.totp_secret_encrypted, purpose=TOTP_PURPOSE)


@write_service("accounts.manage_own_security")
def totp_confirm_enrolment(*, actor: User, code: str) -> bool:
    """Activate `actor`'s pending secret if `code` matches it, replacing any previous one; audited."""
    require(actor, "accounts.manage_own_security", actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.totp_last_counter = 0
        if not user.totp_pending_encrypted or not _totp_check(user, code, pending=True):
            return False
        user.totp_secret_encrypted = user.totp_pending_encrypted
        user.totp_pending_encrypted = ""
        user.totp_enabled = True
        user.save(
            update_fields=["totp_secret_encrypted", "totp_pending_encrypted", "totp_enabled", "totp_last_counter"]
        )
        audit.record(actor=actor, action="accounts.totp_enabled", obj=user)
        return True


@write_service("accounts.manage_user")
def totp_reset(*, actor: User, user: User) -> None:
    """Remove a user's second factor (lost phone); they enrol again at next login if it is required."""
    require(actor, "accounts.manage_user", user)
    with transaction.atomic():
        user.totp_secret_encrypted = ""
        user.totp_pending_encrypted = ""
        user.totp_enabled = False
        user.totp_last_counter = 0
        user.save(
            update_fields=["totp_secret_encrypted", "totp_pending_encrypted", "totp_enabled", "totp_last_counter"]
        )
        audit.record(actor=actor, action="accounts.totp_reset", obj=user)


@write_service("accounts.install_known_totp")
def totp_set_secret(*, actor: Any, user: User, secret: str) -> None:
    """Install a known TOTP secret and switch the second factor on: the demo loader only (demo data, tests)."""
    require(actor, "accounts.install_known_totp", user)
    user.totp_secret_encrypted = encrypt(secret, purpose=TOTP_PURPOSE)
    user.totp_enabled = True
    user.totp_last_counter = 0
    user.save(update_fields=["totp_secret_encrypted", "totp_enabled", "totp_last_counter"])


# --- API tokens -----------------------------------------------------------------------------------


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@write_service("accounts.manage_own_security")
def token_issue(*, actor: User) -> tuple[str, ApiToken]:
    """Create an API token for `actor`, who has just passed the credential check; the key is returned once and
    stored hashed."""
    require(actor, "accounts.manage_own_security", actor)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            key_digest=_digest(key),
            prefix=key[:8],
            expires_at=timezone.now() + timedelta(hours=settings.SHEQU_TOKEN_TTL_HOURS),
        )
        audit.record(actor=actor, action="accounts.token_issued", obj=actor, after={"prefix": token.prefix})
    return key, token


def token_authenticate(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_digest=_digest(key)).first()
    if token is None or token.expires_at <= timezone.now() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _end_sessions_and_tokens(user: User) -> tuple[int, int]:
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    tokens, _ = ApiToken.objects.filter(user=user).delete()
    return len(keys), tokens


# --- passwords ------------------------------------------------------------------------------------


@write_service("accounts.manage_own_security")
def password_change(*, actor: User, old_password: str, new_password: str) -> None:
    """Change one's own password after checking the old one and the policy; audited."""
    require(actor, "accounts.manage_own_security", actor)
    user = actor
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确")})
    if old_password == new_password:
        raise ValidationError({"new_password": _("新密码不能与原密码相同")})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit.record(actor=user, action="accounts.password_changed", obj=user)


def _temporary_password() -> str:
    # Three character classes guaranteed, 16 characters; shown once to the admin.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{body[:4]}-{body[4:8]}-{body[8:]}A7"


@write_service("accounts.manage_user")
def password_reset(*, actor: User, user: User) -> str:
    """Set a temporary password that must be changed at next login; returns it once."""
    require(actor, "accounts.manage_user", user)
    temp = _temporary_password()
    with transaction.atomic():
        user.set_password(temp)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        _end_sessions_and_tokens(user)
        audit.record(actor=actor, action="accounts.password_reset", obj=user)
    return temp


# --- accounts and roles ---------------------------------------------------------------------------


def _check_assignment(user: User, role: str, area: Any) -> None:
    if role not in {r.value for r in Role}:
        raise ValidationError({"role": _("未知的角色")})
    if not level_allowed(role, area.level):
        raise ValidationError(
            {
                "area": _("角色“%(role)s”不能分配在“%(level)s”层级")
                % {"role": ROLE_SPECS[Role(role)].label, "level": area.level_label}
            }
        )
    conflict = separation_conflict(_user_roles(user), role)
    if conflict:
        raise ValidationError(
            {
                "role": _("系统管理员、安全管理员、审计管理员三种角色不能由同一账号兼任（已有：%(role)s）")
                % {"role": ROLE_SPECS[Role(conflict)].label}
            }
        )


@write_service("accounts.assign_role", "accounts.view_users")
def user_create(
    *, actor: User, username: str, display_name: str, role: str, area: Any, unit_name: str = ""
) -> tuple[User, str]:
    """Create a staff account with its first role; returns (user, temporary password shown once).

    The user must change the password at first login.
    """
    require(actor, "accounts.view_users")
    require(actor, "accounts.assign_role", area)
    username = (username or "").strip()
    errors: dict[str, str] = {}
    if not username or len(username) > 150 or not all(c.isalnum() or c in "._-" for c in username):
        errors["username"] = _("用户名只能包含字母、数字和 . _ -")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("该用户名已被使用")
    if not (display_name or "").strip():
        errors["display_name"] = _("请填写姓名")
    if errors:
        raise ValidationError(errors)
    temp = _temporary_password()
    with transaction.atomic():
        user = User(username=username, display_name=display_name.strip(), unit_name=unit_name.strip(), home_area=area)
        user.must_change_password = True
        user.set_password(temp)
        user.save()
        _check_assignment(user, role, area)
        RoleAssignment.objects.create(user=user, role=role, area=area, granted_by=actor)
        audit.record(
            actor=actor,
            action="accounts.user_created",
            obj=user,
            after={"username": username, "display_name": display_name, "role": role, "area": area.code},
        )
    return user, temp


UNIT_ROLES = frozenset({Role.DEPARTMENT_OFFICER.value, Role.ORG_STAFF.value, Role.PARTY_ORGANISER.value})
PARTY_UNIT_KINDS = frozenset({"party_committee", "party_general_branch", "party_branch", "party_group"})


@write_service("accounts.assign_role", "accounts.manage_user")
def assignment_add(*, actor: User, user: User, role: str, area: Any, unit: Any = None) -> RoleAssignment:
    """Give `user` a role at `area`; enforces level rules and the separation of admin roles.

    Department officers and organisation staff may name their unit; the unit must sit at `area` (its staff
    then see the cases dispatched to that unit). Territorial roles never carry a unit.
    """
    require(actor, "accounts.manage_user", user)
    require(actor, "accounts.assign_role", area)
    if role == Role.PARTY_ORGANISER.value and (unit is None or unit.kind not in PARTY_UNIT_KINDS):
        raise ValidationError({"unit": _("党务工作者须指定所在的党组织")})
    if unit is not None:
        if role not in UNIT_ROLES:
            raise ValidationError({"unit": _("只有职能部门工作人员、组织工作人员和党务工作者可以指定所属单位")})
        if unit.area_id != area.pk:
            raise ValidationError({"unit": _("所属单位必须位于所选辖区")})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        _check_assignment(user, role, area)
        if RoleAssignment.objects.filter(user=user, role=role, area=area).exists():
            raise ValidationError({"role": _("该账号已有此角色")})
        assignment = RoleAssignment.objects.create(user=user, role=role, area=area, unit=unit, granted_by=actor)
        after = {"role": role, "area": area.code}
        if unit is not None:
            after["unit"] = unit.name
        audit.record(actor=actor, action="accounts.role_assigned", obj=user, after=after)
    return assignment


@write_service("accounts.assign_role", "accounts.manage_user")
def assignment_remove(*, actor: User, assignment: RoleAssignment) -> None:
    require(actor, "accounts.manage_user", assignment.user)
    require(actor, "accounts.assign_role", assignment.area)
    with transaction.atomic():
        before = {"role": assignment.role, "area": assignment.area.code}
        assignment.delete()
        audit.record(actor=actor, action="accounts.role_removed", obj=assignment.user, before=before)


@write_service("accounts.manage_user")
def user_deactivate(*, actor: User, user: User, reason: str) -> tuple[int, int]:
    """Deactivate an account and end its web sessions and API tokens at once.

    Returns (sessions ended, tokens revoked).
    """
    require(actor, "accounts.manage_user", user)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写停用原因")})
    with transaction.atomic():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.deactivation_reason = reason.strip()[:200]
        user.save(update_fields=["is_active", "deactivated_at", "deactivation_reason"])
        ended = _end_sessions_and_tokens(user)
        audit.record(
            actor=actor,
            action="accounts.user_deactivated",
            obj=user,
            after={"reason": reason, "sessions_ended": ended[0], "tokens_revoked": ended[1]},
        )
    return ended


@write_service("accounts.manage_own_security")
def sessions_end_everywhere(*, actor: User, user: User) -> tuple[int, int]:
    """End all of `user`'s web sessions and revoke all their API tokens ("log out everywhere").

    Only the account holder may do this for themselves (an administrator deactivates instead). The calling
    request's own session is among those ended. Returns (sessions ended, tokens revoked); audited.
    """
    require(actor, "accounts.manage_own_security", user)
    with transaction.atomic():
        ended = _end_sessions_and_tokens(user)
        audit.record(
            actor=actor,
            action="accounts.logged_out_everywhere",
            obj=user,
            after={"sessions_ended": ended[0], "tokens_revoked": ended[1]},
        )
    return ended


@write_service("accounts.manage_user")
def user_reactivate(*, actor: User, user: User) -> None:
    require(actor, "accounts.manage_user", user)
    with transaction.atomic():
        user.is_active = True
        user.deactivated_at = None
        user.deactivation_reason = ""
        user.must_change_password = True
        user.save(update_fields=["is_active", "deactivated_at", "deactivation_reason", "must_change_password"])
        audit.record(actor=actor, action="accounts.user_reactivated", obj=user)


@write_service("accounts.manage_user")
def user_unlock(*, actor: User, user: User) -> None:
    require(actor, "accounts.manage_user", user)
    with transaction.atomic():
        user.locked_until = None
        user.failed_login_count = 0
        user.save(update_fields=["locked_until", "failed_login_count"])
        audit.record(actor=actor, action="accounts.user_unlocked", obj=user)


@handover.register("accounts.assignments")
def _move_assignments(actor: User, from_user: User, to_user: User) -> int:
    moved = 0
    for a in list(RoleAssignment.objects.filter(user=from_user).select_related("area")):
        if not RoleAssignment.objects.filter(user=to_user, role=a.role, area=a.area).exists():
            _check_assignment(to_user, a.role, a.area)
            RoleAssignment.objects.create(user=to_user, role=a.role, area=a.area, unit=a.unit, granted_by=actor)
        a.delete()
        moved += 1
    return moved


@write_service("accounts.manage_user", "accounts.assign_role")
def staff_handover(*, actor: User, from_user: User, to_user: User, deactivate: bool, reason: str) -> dict[str, int]:
    """Hand all of a person's assignments (and open work of every app) to a successor in one step.

    Runs every registered handover participant in one transaction; optionally deactivates the
    predecessor, ending their sessions and tokens. Returns the count moved per participant.
    """
    require(actor, "accounts.manage_user", from_user)
    require(actor, "accounts.manage_user", to_user)
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": _("接替人不能是本人")})
    if not to_user.is_active:
        raise ValidationError({"to_user": _("接替人账号已停用")})
    for a in RoleAssignment.objects.filter(user=from_user).select_related("area"):
        require(actor, "accounts.assign_role", a.area)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk__in=[from_user.pk, to_user.pk]).order_by("pk").first()
        if from_user.home_area_id is None:
            # Keep the emptied account with the admins of the area it served.
            first = RoleAssignment.objects.filter(user=from_user).order_by("created_at", "id").first()
            if first is not None:
                from_user.home_area_id = first.area_id
                from_user.save(update_fields=["home_area"])
        counts = {name: fn(actor, from_user, to_user) for name, fn in handover.participants().items()}
        audit.record(
            actor=actor,
            action="accounts.handover",
            obj=from_user,
            after={"to": to_user.username, "moved": counts, "reason": reason},
        )
        if deactivate:
            user_deactivate(actor=actor, user=from_user, reason=reason or _("工作交接"))
    return counts
