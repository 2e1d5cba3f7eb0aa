"""Organiser pages of speakers, institutions and invitations (routes of the /manage/ blueprint)."""
