import os

from django.core.wsgi import get_wsgi_application

from shequ.core.filemodes import restrict_umask

# Before anything is created: databases, uploads and generated files are for the service user only.
restrict_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.config.settings.dev")
application = get_wsgi_application()

# Refuse to serve when encrypted personal information exists but its key is missing or wrong, or when the
# audit key that seals the audit log is missing or wrong.
from shequ.core.audit_keys import ensure_audit_keyring_usable  # noqa: E402
from shequ.core.keyring import ensure_keyring_usable  # noqa: E402

ensure_keyring_usable()
ensure_audit_keyring_usable()

# Load the message classifier now, not on the first report of each worker process (about 0.2 s). A missing
# model only disables suggestions (cases then go to triage), so it must not stop the server.
try:
    from shequ.classifier.model import get_model  # noqa: E402

    get_model()
except OSError:  # pragma: no cover - a deployment without the shipped model file
    import logging

    logging.getLogger(__name__).warning("classifier model not found; category suggestions are off")
