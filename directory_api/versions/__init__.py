"""Versioned source lists: slugs, identity keys and stable provider ids, diffs between two
versions of a list, and the records of sources, versions and publish results. Pure Python:
no Flask, no SQL (the store persists what this package computes)."""
