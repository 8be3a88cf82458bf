"""layers-tutor: learn how Docker images are made of layers, on your own engine."""

__version__ = "0.1.0"
