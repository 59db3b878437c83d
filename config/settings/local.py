"""Settings for running the shop on a developer's machine."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SHOP_TAX_REGISTRATIONS = env.list(
    "SHOP_TAX_REGISTRATIONS", default=["BC", "MB", "SK", "QC"]
)
SHOP_TAX_REGISTRATION_NUMBERS = env.dict(
    "SHOP_TAX_REGISTRATION_NUMBERS",
    default={
        "BC": "PST-1234-5678",
        "MB": "123456-7",
        "SK": "1234567",
        "QC": "1234567890TQ0001",
    },
)
