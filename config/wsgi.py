import os

from django.core.wsgi import get_wsgi_application

from config import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
tracing.start()  # when the environment asks for it; before the handler loads the middleware
application = get_wsgi_application()
