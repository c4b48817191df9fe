"""The one command-line entry point, `awol`: a thin layer over the Python API."""
