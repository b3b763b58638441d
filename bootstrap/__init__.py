"""Turns a bare machine into a deploy host: venv aside, everything `pulumi up` needs.

Standard library only: it runs before the project's virtualenv exists.
"""
