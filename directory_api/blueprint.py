"""flask-smorest's Blueprint with a fast path for the hottest query string (search)."""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import request
from webargs.flaskparser import FlaskParser

from .schemas import SearchArgsSchema, fast_search_args


class FastPathParser(FlaskParser):
    """Plainly valid search queries skip webargs and marshmallow; anything else does not."""

    def parse(self, argmap: Any, req: Any = None, *, location: str | None = None, **kw: Any) -> Any:
        if location == "query" and isinstance(argmap, SearchArgsSchema):
            query = (req or request).args
            if all(len(values) == 1 for values in query.listvalues()):
                fast = fast_search_args(query)
                if fast is not None:
                    return fast
        return super().parse(argmap, req, location=location, **kw)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = FastPathParser()
