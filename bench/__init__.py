"""Benchmarks for directory-api (issue 5): `make bench`, `make bench-smoke`.

generate.py writes synthetic provider lists; run.py measures and writes bench/results/.
"""
