"""WAP team building service."""

__version__ = "0.1.0"
