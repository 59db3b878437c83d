"""factory-boy factories for the shop's models, one module per app."""
