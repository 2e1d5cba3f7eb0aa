"""Certificates of attendance: issued to those who came, verified by anyone with the reference."""
