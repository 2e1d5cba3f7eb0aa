"""Signed webhooks (Standard Webhooks): organisers' endpoints, the messages changes write, their delivery."""
