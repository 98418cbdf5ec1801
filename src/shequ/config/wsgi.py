import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.config.settings.dev")
application = get_wsgi_application()

# Refuse to serve when encrypted personal information exists but its key is missing or wrong.
from shequ.core.keyring import ensure_keyring_usable  # noqa: E402

ensure_keyring_usable()
