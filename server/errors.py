"""Refusals: ``{"error": code, "message": text}`` with a 4xx, and what the OpenAPI document says of them.

Every status a route can answer is declared with it (``responses(...)``),
so the published document and the server agree; ``tests/test_server_schema.py``
holds real answers against it. A crash is a 500 without details
(``server.site.Site``).
"""

from __future__ import annotations

from typing import Optional

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: Optional[float] = None) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


class ErrorBody(BaseModel):
    error: str
    message: str


def error_response(status: int, code: str, message: str, retry_after: Optional[float] = None,
                   close: bool = False) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, int(retry_after + 0.999)))
    if close:
        headers["Connection"] = "close"
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


#: What each status means on this server (the codes per status are in PROTOCOL.md).
STATUS_TEXT = {
    400: "malformed request (bad_request); the message names the field",
    401: "missing, malformed or unknown access token (unauthorized)",
    403: "removed from the team (removed), not the coordinator (not_coordinator), or a wrong sign-up code",
    404: "no such invite, member or route",
    405: "method not allowed",
    408: "the request's body did not arrive in time (timeout)",
    409: "conflicts with the team's state (the code says which)",
    410: "the invite was used, has expired or was cancelled",
    413: "request body too large (too_large)",
    415: "not JSON",
    429: "too many requests (rate_limited); Retry-After says when to try again",
    503: "too many open streams on this server (busy); poll instead and try again later",
}


def responses(*statuses: int) -> dict:
    """The ``responses=`` of a route: 400, 413, 429 always, plus ``statuses``."""
    return {s: {"model": ErrorBody, "description": STATUS_TEXT[s]} for s in sorted({400, 413, 429, *statuses})}


AUTHENTICATED = (401, 403)

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


def install_error_handlers(app) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.retry_after)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        # Where, not what: the offending value is never echoed back.
        errors = exc.errors()
        where = ".".join(str(p) for p in (errors[0].get("loc", ()) if errors else ()))
        return error_response(400, "bad_request", f"invalid request ({where or 'body'})")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else "server_error")
        return error_response(exc.status_code, code, code.replace("_", " "))


def without_validation_422(app) -> None:
    """FastAPI documents a 422 for every call with parameters; this server refuses with 400
    (``install_error_handlers``), which every route declares itself: drop the 422s."""
    make = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = make()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
