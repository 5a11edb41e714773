"""Answering "nearest reimbursable provider": the rules as data (load, validate,
eligibility per care type and scheme), the in-memory directory snapshot of one data version
with its spatial shortlists, ranking by great-circle distance, and provider listing.
No Flask, no SQL: distances and the spatial index come from `directory_api.geo`."""
