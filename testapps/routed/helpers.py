import json


class HTTPError(Exception):
    status = '500 Internal Server Error'


class NotFound(HTTPError):
    status = '404 Not Found'


class BadRequest(HTTPError):
    status = '400 Bad Request'


def json_response(start_response, data, status='200 OK'):
    body = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(body)))])
    return [body]
