"""Helpers shared by the test folders: differential outcomes, signals, captured log records."""
