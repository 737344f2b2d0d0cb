"""The WSGI edge: the client network, the consent POST lane, the rate limit, gunicorn's settings and logs.

Everything here runs in front of (or around) Flask's dispatch; the full client address
never gets past client_net.
"""
