"""Spiders: one generic portal spider, driven by the sources file."""
