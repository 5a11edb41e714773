"""Reading provider lists, a step per module: decoding (bytes to text), records (delimiter
and csv records; record_chunks the fast path for one-line records), headers (columns to
provider fields), cells (one marshmallow field per kind of cell), rows (the reference path:
ProviderRowSchema and the row-by-row checker; columns the columnar fast path beside it,
which must equal it), report (ParsedFile and its text), reader (read_provider_file and
read_provider_records, start to end), pipeline (import_file: read, then publish through the
store) and bundled (the lists `seed` loads). May import geo/, versions/ and services; no
Flask, no SQL."""
