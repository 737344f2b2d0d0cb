"""`python -m consent_server.cli`: the `consent-server` command."""
from . import main

main()
