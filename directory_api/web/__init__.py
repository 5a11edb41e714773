"""Everything that knows Flask: the flask-smorest Api and its one error shape (`errors`), the
HTTP conventions of every read (CORS, ETag and Cache-Control, rate limits, and in `context`
the app's Services and the data version a request is pinned to), the admin token check, JSON
logging, the marshmallow schemas of the API with the search fast paths beside them
(`search_query` parses plain queries, `search_encoding` writes the response bytes), one
blueprint per resource under `views/`, the widget and embed page, and the gunicorn launcher.
It calls into search, imports, versions and store; none of them imports it."""
