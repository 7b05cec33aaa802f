"""Plain WSGI callables that the tests serve on both engines.

They keep to the Python subset the embedded gpython engine runs (Python 3.4
syntax: no f-strings; dicts with str keys), so one suite checks CPython and
gpython alike.
"""
import json
import time


def hello(environ, start_response):
    body = b'Hello, world!\n'
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]


application = hello


def query(environ):
    """The query string as a dict of first values (no urllib needed)."""
    out = {}
    for part in environ.get('QUERY_STRING', '').split('&'):
        if '=' in part:
            k, v = part.split('=', 1)
            out[k] = v
    return out


def environ(environ, start_response):
    """The environ as JSON: strings as they are, objects as 'present'."""
    out = {}
    for k, v in environ.items():
        if k in ('wsgi.input', 'wsgi.errors', 'wsgi.file_wrapper'):
            out[k] = 'present'
        else:
            out[k] = v
    body = json.dumps(out, sort_keys=True).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]


def echo(environ, start_response):
    """Sends the request body back, read in pieces until EOF."""
    inp = environ['wsgi.input']
    parts = []
    while True:
        chunk = inp.read(65536)
        if not chunk:
            break
        parts.append(chunk)
    ctype = environ.get('CONTENT_TYPE', 'application/octet-stream')
    start_response('200 OK', [('Content-Type', ctype)])
    return parts


def upload(environ, start_response):
    """Reads the whole body in chunks and answers its length and sha256."""
    import hashlib
    inp = environ['wsgi.input']
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = inp.read(65536)
        if not chunk:
            break
        size += len(chunk)
        digest.update(chunk)
    body = ('%d %s\n' % (size, digest.hexdigest())).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body]


PATTERN = b'0123456789abcdef' * 4096  # 64 KiB


def download(environ, start_response):
    """Streams ?size=N bytes of a repeating pattern, 64 KiB at a time."""
    size = int(query(environ).get('size', '1048576'))
    start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                              ('Content-Length', str(size))])

    def chunks():
        left = size
        while left > 0:
            if left >= len(PATTERN):
                yield PATTERN
                left -= len(PATTERN)
            else:
                yield PATTERN[:left]
                left = 0
    return chunks()


class Stream(object):
    """An iterable with close(): the server must call close() on every path."""

    def __init__(self, environ, count, delay):
        self.environ = environ
        self.count = count
        self.delay = delay

    def __iter__(self):
        for i in range(self.count):
            if i:
                time.sleep(self.delay)
            yield ('chunk %d\n' % i).encode('ascii')

    def close(self):
        self.environ['wsgi.errors'].write(
            'close() called for ' + self.environ.get('PATH_INFO', '') + '\n')


def stream(environ, start_response):
    """?n=COUNT chunks, ?delay=SECONDS apart, with no Content-Length."""
    q = query(environ)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return Stream(environ, int(q.get('n', '5')), float(q.get('delay', '0')))


def writer(environ, start_response):
    """Uses the write() callable before returning an iterable."""
    write = start_response('200 OK', [('Content-Type', 'text/plain')])
    write(b'written ')
    write(b'then ')
    return [b'returned\n']


def empty(environ, start_response):
    start_response('204 No Content', [])
    return []


def slow(environ, start_response):
    """Sleeps ?s=SECONDS, then answers which thread it ran on."""
    time.sleep(float(query(environ).get('s', '1')))
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'slept\n']


def error_before(environ, start_response):
    raise ValueError('boom before start_response')


class Failing(Stream):
    """Yields one chunk, then raises: close() must still be called."""

    def __iter__(self):
        yield b'partial '
        raise ValueError('boom after the headers went out')


def error_after(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return Failing(environ, 0, 0)


def file(environ, start_response):
    """Serves this very file through wsgi.file_wrapper."""
    start_response('200 OK', [('Content-Type', 'text/x-python')])
    return environ['wsgi.file_wrapper'](open(__file__, 'rb'), 4096)


def bad_status(environ, start_response):
    start_response('200', [('Content-Type', 'text/plain')])
    return [b'never sent']


def bad_header(environ, start_response):
    start_response('200 OK', [('Connection', 'close')])
    return [b'never sent']


def str_body(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return ['a str, not bytes']


def noisy(environ, start_response):
    """Writes to stdout, stderr and wsgi.errors: all must reach the log."""
    import sys
    print('printed to stdout')
    sys.stderr.write('written to stderr\n')
    environ['wsgi.errors'].write('written to wsgi.errors\n')
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'noisy\n']


def inject(environ, start_response):
    """Puts the query string in a header: a NUL in it must not forge headers."""
    from urllib.parse import unquote
    start_response('302 Found', [('Location', unquote(environ['QUERY_STRING'])),
                                 ('Content-Type', 'text/plain')])
    return [b'moved\n']


def big_chunk(environ, start_response):
    """One body chunk of ?mb=N MiB (default 17, more than one wire frame)."""
    n = int(query(environ).get('mb', '17')) << 20
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    return [b'x' * n]


def content_length_lie(environ, start_response):
    """Declares ?declared=N bytes and sends ?sent=M."""
    q = query(environ)
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', q.get('declared', '5'))])
    return [b'y' * int(q.get('sent', '10'))]


def no_content_type(environ, start_response):
    """HTML without a Content-Type: the server must not guess one."""
    start_response('200 OK', [])
    return [b'<html><script>alert(1)</script></html>']


def write_loop(environ, start_response):
    """Writes every 20 ms for 5 s with write(); stops early when cancelled."""
    write = start_response('200 OK', [('Content-Type', 'text/plain')])
    try:
        for i in range(250):
            write(('line %d\n' % i).encode('ascii'))
            time.sleep(0.02)
    finally:
        environ['wsgi.errors'].write('write loop ended after %d writes\n' % (i + 1))
    return []


def custom_reason(environ, start_response):
    """A status whose reason phrase is the app's own."""
    start_response('299 Custom Thing', [('Content-Type', 'text/plain')])
    return [b'custom\n']


def replaced_reason(environ, start_response):
    """Starts a 200, fails, and starts again with exc_info (PEP 3333)."""
    import sys
    start_response('200 OK', [('Content-Type', 'text/plain')])
    try:
        raise ValueError('changed its mind')
    except ValueError:
        start_response('500 Oops Replaced', [('Content-Type', 'text/plain')],
                       sys.exc_info())
    return [b'replaced\n']


def changed_mind(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    try:
        raise ValueError('unavailable after all')
    except ValueError:
        import sys
        start_response('503 Changed Mind', [('Content-Type', 'text/plain'),
                                            ('Retry-After', '1')], sys.exc_info())
    return [b'later\n']


def two_lengths(environ, start_response):
    """Two different Content-Length headers: no client can trust either."""
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', '5'), ('Content-Length', '6')])
    return [b'12345']


def same_length_twice(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', '5'), ('content-length', '5')])
    return [b'12345']


def signed_length(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', '+5')])
    return [b'12345']


HELD = []


def grow(environ, start_response):
    """Keeps ?mb=N more MiB alive in this worker (a leak, on purpose)."""
    mb = int(query(environ).get('mb', '100'))
    HELD.append(b'm' * (mb << 20))
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [('holding %d chunks\n' % len(HELD)).encode('ascii')]


ROUTES = {
    '/': hello,
    '/environ': environ,
    '/echo': echo,
    '/upload': upload,
    '/download': download,
    '/stream': stream,
    '/writer': writer,
    '/empty': empty,
    '/slow': slow,
    '/error-before': error_before,
    '/error-after': error_after,
    '/bad-status': bad_status,
    '/bad-header': bad_header,
    '/str-body': str_body,
    '/noisy': noisy,
    '/file': file,
    '/inject': inject,
    '/big-chunk': big_chunk,
    '/content-length-lie': content_length_lie,
    '/no-content-type': no_content_type,
    '/write-loop': write_loop,
    '/grow': grow,
    '/custom-reason': custom_reason,
    '/replaced-reason': replaced_reason,
    '/changed-mind': changed_mind,
    '/two-lengths': two_lengths,
    '/same-length-twice': same_length_twice,
    '/signed-length': signed_length,
}


def router(environ, start_response):
    """All of the above under one app, by PATH_INFO."""
    app = ROUTES.get(environ.get('PATH_INFO', '/'))
    if app is None:
        start_response('404 Not Found', [('Content-Type', 'text/plain')])
        return [b'not found\n']
    return app(environ, start_response)
