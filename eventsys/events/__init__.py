"""Events: conferences, symposia, forums, competitions and lectures, with their programme."""
