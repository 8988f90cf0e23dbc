"""Model runtimes and personalization methods. No Qt, no SQL."""
