"""The heart of regwatch: data model, storage, extraction, mapping and review.

This package imports neither ``crawlers`` nor ``dashboard``: both depend on it.
"""
