"""Models, one module per concept; importing this package registers them all with the metadata."""
from .consents import Consent
from .keys import ROLES, ApiKey
from .policies import PolicyVersion
from .refusals import RefusalCount
from .sites import Site, SiteOrigin
from .vocabulary import ACTIONS, LANGUAGES
from . import seals  # noqa: F401,E402 - registers the seal tables (proofs)

__all__ = ["ACTIONS", "LANGUAGES", "ROLES", "ApiKey", "Consent", "PolicyVersion", "RefusalCount", "Site", "SiteOrigin"]
