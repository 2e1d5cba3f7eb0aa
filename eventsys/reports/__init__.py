"""Reports for the international exchange office: what it hosted, who came, from where."""
