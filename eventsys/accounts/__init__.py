"""Organiser and admin accounts: who may sign in to /manage/ and which events they run."""
