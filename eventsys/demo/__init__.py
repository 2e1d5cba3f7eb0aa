"""Demo data that looks like the School of Astronautics' real year."""
