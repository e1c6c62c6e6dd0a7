"""The problem responses every key-protected operation declares, shared so that each domain states them alike."""

from service.web.problems import SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS, problem_spec

UNAUTHORIZED = problem_spec("Missing, malformed, unknown or revoked key.")
FORBIDDEN = problem_spec("The key's client lacks the scope this operation needs.")
BAD_REQUEST = problem_spec("The request is invalid; `errors` names each offending field.")
SECURED_PROBLEMS = {
    400: BAD_REQUEST,
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    429: TOO_MANY_REQUESTS,
    503: SERVICE_UNAVAILABLE,
}
