"""The WSGI entry point gunicorn serves: `consent_server.wsgi:app`."""
from . import create_app

app = create_app()

# One sealer thread per worker (gunicorn does not preload): seals records off the request path.
from .proofs.sealing import start_background_sealer  # noqa: E402

start_background_sealer(app)
