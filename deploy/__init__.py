"""Serving a class: nginx in front of several app processes (see launch.py)."""
