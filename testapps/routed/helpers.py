import json


class HTTPError(Exception):
    status: str = '500 Internal Server Error'


class NotFound(HTTPError):
    status = '404 Not Found'


class BadRequest(HTTPError):
    status = '400 Bad Request'


STATUS_TEXT: dict = {200: 'OK', 400: 'Bad Request', 404: 'Not Found'}


def status_line(code: int) -> str:
    return f'{code} {STATUS_TEXT[code]}'


def json_response(start_response, data, status='200 OK', **headers):
    body = json.dumps(data, sort_keys=True).encode('utf-8')
    extra = [(f'X-{k.title()}', str(v)) for k, v in headers.items()]
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(body)))] + extra)
    return [body]
