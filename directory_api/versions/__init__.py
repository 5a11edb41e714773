"""Versioned source lists: slugs, identity keys and stable provider ids (`identity`, with its
column-at-a-time twin `identity_fast`), diffs between two versions of a list (`diff`, with
`diff_fast` for a new source), a provider's values as they travel (`values`) and the records
of sources, versions and publish results (`records`). Pure Python: no Flask, no SQL (the
store persists what this package computes)."""
