"""Speakers (foreign experts), their institutions, and their engagements at events."""
