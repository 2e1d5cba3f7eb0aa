"""Personal API tokens: how an organiser's scripts act as the organiser on the API (/api/v1/manage/)."""
