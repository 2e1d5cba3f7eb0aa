"""Composing, previewing and sending messages to registrants or speakers (routes of /manage/)."""
