"""Storefront views: catalog pages, the cart and customer accounts."""
