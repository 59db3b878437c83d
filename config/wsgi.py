"""The WSGI application that gunicorn serves: `gunicorn config.wsgi`.

It uses the production settings unless DJANGO_SETTINGS_MODULE names
another module. `manage.py runserver` uses config.settings.local.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
