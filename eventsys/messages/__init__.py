"""Messages organisers send to a chosen set of registrants or speakers, through the outbox."""
