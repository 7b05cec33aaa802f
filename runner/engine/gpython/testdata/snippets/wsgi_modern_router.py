# snippet: wsgi | a router in modern style: tuple keys, f-strings, annotations, a value class key
import json
class Route:
    def __init__(self, method: str, path: str):
        self.method, self.path = method.upper(), path.rstrip('/') or '/'
    def __eq__(self, other): return (self.method, self.path) == (other.method, other.path)
    def __hash__(self): return hash((self.method, self.path))
HANDLERS: dict = {}
def route(method, path):
    def deco(fn):
        HANDLERS[Route(method, path)] = fn
        return fn
    return deco
@route('get', '/hello/')
def hello(environ) -> dict:
    return {'hello': environ.get('QUERY_STRING') or 'world', 'status': {200: 'OK'}[200]}
def app(environ, start_response):
    key = Route(environ['REQUEST_METHOD'], environ['PATH_INFO'])
    handler = HANDLERS.get(key)
    if handler is None:
        start_response('404 Not Found', [])
        return [f'no route for {key.method} {key.path}'.encode()]
    body = json.dumps(handler(environ)).encode()
    start_response('200 OK', [('Content-Length', f'{len(body)}')])
    return [body]
for method, path in [('GET', '/hello'), ('POST', '/hello'), ('GET', '/hello/')]:
    out = app({'REQUEST_METHOD': method, 'PATH_INFO': path, 'QUERY_STRING': ''}, lambda s, h: print(s, h))
    print(b''.join(out).decode())
