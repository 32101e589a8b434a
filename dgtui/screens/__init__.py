"""Screens of the explorer: one module per screen."""
