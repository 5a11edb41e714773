"""Reading provider lists: decoding a file (encoding, delimiter, records), mapping its
headers to provider fields, checking cells and rows (the reference path) with a columnar
fast path beside it, the import report, and the pipeline that hands a checked list to the
store (plus the bundled lists `seed` loads). No Flask, no SQL."""
