"""A small routed JSON API in plain WSGI, written the ordinary modern way: a
route table keyed by (method, path) tuples, f-strings, annotations, a value
class with __eq__/__hash__ used as a dict key, int-keyed dicts, and
generators whose finally blocks free what they hold (on a normal end and on
close()). It runs unchanged on both engines, with identical responses."""
from urllib.parse import parse_qs
import json

from .helpers import BadRequest, HTTPError, NotFound, json_response, status_line

ROUTES: dict = {}
ITEMS = {}
OPEN_READERS = []   # one entry per line reader that has not finished
CLOSED = []         # streams whose finally block ran


class Sku:
    """A stock-keeping unit: SKUs that print alike are the same dict key."""

    def __init__(self, code: str):
        self.code = code.strip().upper()

    def __eq__(self, other):
        return isinstance(other, Sku) and self.code == other.code

    def __hash__(self):
        return hash(self.code)

    def __repr__(self):
        return f'Sku({self.code!r})'


STOCK = {Sku('pen'): 3, Sku('ink'): 0, Sku('pad'): 12}


def route(path, method='GET'):
    def register(fn):
        ROUTES[(method, path)] = fn
        return fn
    return register


def query(environ) -> dict:
    return {k: v[-1] for k, v in parse_qs(environ.get('QUERY_STRING', '')).items()}


@route('/')
def index(environ):
    return {'routes': [f'{method} {path}' for method, path in sorted(ROUTES)]}


@route('/greet')
def greet(environ):
    name = query(environ).get('name', 'world')
    return {'greeting': f'Hello, {name}!'}


@route('/items', 'POST')
def add_item(environ):
    length = int(environ.get('CONTENT_LENGTH') or 0)
    raw = environ['wsgi.input'].read(length)
    try:
        item = json.loads(raw.decode('utf-8'))
    except ValueError:
        raise BadRequest('body is not JSON')
    if 'name' not in item:
        raise BadRequest(f'an item needs a name, got {sorted(item)!r}')
    ITEMS[item['name']] = item
    return {'stored': item['name'], 'count': len(ITEMS)}


@route('/items')
def list_items(environ):
    return {'items': sorted(ITEMS.keys())}


@route('/stock')
def stock(environ):
    sku = Sku(query(environ).get('sku', ''))
    if sku not in STOCK:
        raise NotFound(f'no such sku: {sku.code!r}')
    count = STOCK[sku]
    return {'sku': sku.code, 'count': count, 'in_stock': count > 0,
            'label': f'{sku.code:<5}|{count:>4}|{count / 12:.0%}'}


def read_lines(text):
    OPEN_READERS.append(text)
    try:
        for n, line in enumerate(text.split(','), 1):
            yield n, line.strip()
    finally:
        OPEN_READERS.remove(text)


@route('/first')
def first(environ):
    lines = read_lines(query(environ).get('text', ''))
    n, line = next(lines)
    lines.close()
    return {'first': line, 'n': n, 'open_readers': len(OPEN_READERS)}


def count_words(text):
    counts = {}
    for _, line in read_lines(text):
        for word in line.split():
            counts[word] = counts.get(word, 0) + 1
    return counts


@route('/words')
def words(environ):
    counts = count_words(query(environ).get('text', ''))
    by_count = {}
    for word, c in counts.items():
        by_count.setdefault(c, []).append(word)
    return {'counts': counts, 'by_count': {str(c): ws for c, ws in sorted(by_count.items())},
            'open_readers': len(OPEN_READERS)}


def stream(start_response, n: int):
    start_response(status_line(200), [('Content-Type', 'text/plain; charset=utf-8')])
    try:
        for i in range(1, n + 1):
            yield f'{i:02d} {"*" * i}\n'.encode()
    finally:
        CLOSED.append(n)


@route('/closed')
def closed(environ):
    return {'closed': CLOSED}


def application(environ, start_response):
    method, path = environ['REQUEST_METHOD'], environ.get('PATH_INFO') or '/'
    if (method, path) == ('GET', '/stream'):
        return stream(start_response, int(query(environ).get('n', 3)))
    try:
        handler = ROUTES.get((method, path))
        if handler is None:
            raise NotFound(f'no route for {method} {path}')
        return json_response(start_response, handler(environ), routes=len(ROUTES))
    except HTTPError as e:
        return json_response(start_response, {'error': str(e.args[0])}, e.status)
