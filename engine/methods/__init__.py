"""Personalization methods: each one small module (StyleVector, SteerX, ...)."""
