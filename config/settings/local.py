"""Settings for running the shop on a developer's machine."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SHOP_TAX_REGISTRATIONS = env.list(
    "SHOP_TAX_REGISTRATIONS", default=["BC", "MB", "SK", "QC"]
)
