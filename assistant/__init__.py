"""Core application: settings, paths and the services that wire engine and store."""

__version__ = "0.1.0"
