"""Browser fixtures live in the root conftest.py so that every app shares one browser."""
