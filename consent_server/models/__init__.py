"""Models, one module per concept; importing this package registers them all with the metadata."""
from .consents import ACTIONS, Consent
from .keys import ROLES, ApiKey
from .policies import PolicyVersion
from .refusals import RefusalCount
from .sites import Site, SiteOrigin
from . import seals  # noqa: F401,E402 - registers the seal tables (proofs)

__all__ = ["ACTIONS", "ROLES", "ApiKey", "Consent", "PolicyVersion", "RefusalCount", "Site", "SiteOrigin"]
