"""Data retention: anonymising an event's registrations once the office no longer needs who came.

The rules are in `services.py`; what other domains erase with them registers in `erasers.py`.
"""
