"""Invitations to register: invitees get a personal link, and may have a seat set aside for them.

Speakers are invited to speak elsewhere (eventsys/speakers/invitations.py); these invite
people to attend: delegations, selected students, the guests of a closed forum.
"""
