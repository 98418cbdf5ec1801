from django.contrib.auth.backends import ModelBackend
from django.utils import timezone


class LockoutModelBackend(ModelBackend):
    """Model backend that refuses locked and deactivated accounts (session restore included)."""

    def user_can_authenticate(self, user) -> bool:
        if user.locked_until and user.locked_until > timezone.now():
            return False
        return super().user_can_authenticate(user)
