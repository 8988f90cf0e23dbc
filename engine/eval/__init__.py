"""Evaluation of personalization methods on real user data (loaders, metrics, harness)."""
