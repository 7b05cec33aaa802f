from urllib.parse import parse_qs
import json

from .helpers import BadRequest, HTTPError, NotFound, json_response

ROUTES = {}
ITEMS = {}


def route(path, method='GET'):
    def register(fn):
        ROUTES[method + ' ' + path] = fn
        return fn
    return register


@route('/')
def index(environ):
    return {'routes': sorted(ROUTES.keys())}


@route('/greet')
def greet(environ):
    q = parse_qs(environ.get('QUERY_STRING', ''))
    name = q.get('name', ['world'])[0]
    return {'greeting': 'Hello, {}!'.format(name)}


@route('/items', 'POST')
def add_item(environ):
    length = int(environ.get('CONTENT_LENGTH') or 0)
    raw = environ['wsgi.input'].read(length)
    try:
        item = json.loads(raw.decode('utf-8'))
    except ValueError:
        raise BadRequest('body is not JSON')
    if 'name' not in item:
        raise BadRequest('an item needs a name')
    ITEMS[item['name']] = item
    return {'stored': item['name'], 'count': len(ITEMS)}


@route('/items')
def list_items(environ):
    return {'items': sorted(ITEMS.keys())}


def application(environ, start_response):
    key = environ['REQUEST_METHOD'] + ' ' + (environ.get('PATH_INFO') or '/')
    try:
        handler = ROUTES.get(key)
        if handler is None:
            raise NotFound('no route for ' + key)
        return json_response(start_response, handler(environ))
    except HTTPError as e:
        return json_response(start_response, {'error': str(e.args[0])}, e.status)
