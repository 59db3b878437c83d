"""Settings for the test suite: fast hashing, in-memory email."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

SECRET_KEY = "test-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".test-media")
SHOP_TAX_REGISTRATIONS = ["BC", "MB", "SK", "QC"]
# Tests choose per test whether tasks run eagerly or on a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# The test webhook receivers listen on 127.0.0.1.
WEBHOOK_ALLOW_LOOPBACK = True
SHOP_TAX_REGISTRATION_NUMBERS = {
    "BC": "PST-1234-5678",
    "MB": "123456-7",
    "SK": "1234567",
    "QC": "1234567890TQ0001",
}
