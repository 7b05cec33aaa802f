# snippet: exceptions | user exception classes with class attributes
class HTTPError(Exception):
    status = '500 Internal Server Error'
class NotFound(HTTPError):
    status = '404 Not Found'
try:
    raise NotFound('no route')
except HTTPError as e:
    print(type(e).__name__, e.status, e.args[0], str(e), isinstance(e, NotFound), repr(e))
