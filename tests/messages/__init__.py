"""Tests of messages organisers send to registrants and speakers."""
