"""Gunicorn settings as deployed; `deploy/gunicorn.conf.py` loads these and may override them.

The access log never prints the peer address: it prints the truncated
network that ClientNetMiddleware put in the environ, and the path without its
query string.
"""
import multiprocessing
import os

bind = os.environ.get("CONSENT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CONSENT_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads let one worker keep many keep-alive connections (nginx upstream keepalive, load tests).
worker_class = "gthread"
threads = int(os.environ.get("CONSENT_THREADS", 4))
# Open client connections per worker (gunicorn's default 1000). A worker at the limit stops
# accepting and leaves new connections to the others: with few long-lived keep-alive connections
# (a load balancer's upstream pool, a load test), a low limit spreads them over every worker
# instead of letting the first worker to wake accept them all (see bench/RESULTS.md).
worker_connections = int(os.environ.get("CONSENT_WORKER_CONNECTIONS", 1000))
keepalive = 5
timeout = 30
graceful_timeout = 20
max_requests = 0
wsgi_app = "consent_server.wsgi:app"
accesslog = os.environ.get("CONSENT_ACCESS_LOG", "-")
errorlog = "-"
# Also truncates the peer address gunicorn itself logs for requests it rejects (helper: serving tests).
logger_class = "consent_server.http.gunicorn_logging.PrivateLogger"
access_log_format = '%({consent.client_net}e)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
forwarded_allow_ips = "127.0.0.1"
proc_name = "consent-server"
# Gunicorn's runtime control socket sits at one fixed path per user: several servers on
# one host (nodes, tests, benchmarks) would fight over it, and we do not use it.
control_socket_disable = True


def on_starting(server) -> None:
    """Refuse to start without the signing key or the erasure secret, naming the command that makes them.

    Runs in the master before it binds or forks: a server that starts anyway would answer
    500 to erasures and hand out receipts whose proof never comes. gunicorn prints a
    RuntimeError raised here as "Error: ..." and exits 1.
    """
    from consent_server import create_app
    from consent_server.proofs.server_keys import missing_server_key

    app = create_app()
    with app.app_context():
        missing = missing_server_key()
    if missing is not None:
        raise RuntimeError(f"consent-server cannot serve: {missing}")
