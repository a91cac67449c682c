"""Folioscope: a local document workbench."""
__version__ = "0.1.0"
