"""The WSGI entry point gunicorn serves: `consent_server.wsgi:app`."""
from . import create_app

app = create_app()
