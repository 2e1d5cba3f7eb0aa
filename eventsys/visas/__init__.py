"""Visa invitation letters: asked for by registrants and speakers from abroad, issued by organisers."""
