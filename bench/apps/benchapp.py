"""The apps the benchmark harness (bench/harness) serves on every server.

Pure WSGI, in the Python subset the gpython engine runs (no f-strings), so
the same file serves on gowsgi's two engines and on every peer.
"""
import time

HELLO = b'Hello, world!\n'
PATTERN = b'0123456789abcdef' * 4096  # 64 KiB


def hello(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(HELLO)))])
    return [HELLO]


def query_size(environ):
    for part in environ.get('QUERY_STRING', '').split('&'):
        if part.startswith('size='):
            return int(part[5:])
    return 1048576


def download(environ, start_response):
    """?size=N bytes (1 MiB by default), yielded 64 KiB at a time."""
    size = query_size(environ)
    start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                              ('Content-Length', str(size))])

    def chunks():
        left = size
        while left > 0:
            n = min(left, len(PATTERN))
            yield PATTERN if n == len(PATTERN) else PATTERN[:n]
            left -= n
    return chunks()


def upload(environ, start_response):
    """Reads the body 64 KiB at a time and answers its length."""
    inp = environ['wsgi.input']
    size = 0
    while True:
        chunk = inp.read(65536)
        if not chunk:
            break
        size += len(chunk)
    body = ('%d\n' % size).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]


def sleep50(environ, start_response):
    """An app that blocks on I/O: 50 ms, off the GIL."""
    time.sleep(0.05)
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', '6')])
    return [b'slept\n']


ROUTES = {'/': hello, '/download': download, '/upload': upload, '/sleep': sleep50}


def application(environ, start_response):
    app = ROUTES.get(environ.get('PATH_INFO', '/'), hello)
    return app(environ, start_response)
