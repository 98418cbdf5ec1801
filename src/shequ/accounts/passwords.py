"""Password policy beyond Django's built-in validators (length, common passwords, numeric, similarity)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Require at least three of: lower-case, upper-case, digits, other characters (等保 complexity)."""

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a message that is translated (Django 5.2's new wording is not yet)."""

    def get_error_message(self) -> str:
        return _("密码长度太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
