"""Everything that knows Flask: the flask-smorest Api and its one error shape (`errors`), the
HTTP conventions of every read (CORS, ETag and Cache-Control, rate limits, the data version a
request is pinned to), the admin token check, JSON logging, the marshmallow schemas of the
API, one blueprint per resource under `views/`, the widget and embed page, and the gunicorn
launcher. It calls into search, imports, versions and store; none of them imports it."""
