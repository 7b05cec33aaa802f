"""Apps that break a gpython worker in each way the notes measured. The
server must answer 500/502/504 and keep serving with a fresh worker."""


def recurse(n):
    return recurse(n + 1)


def spin_forever():
    while True:
        pass


def application(environ, start_response):
    path = environ.get('PATH_INFO', '/')
    if path == '/recurse':
        recurse(0)
    elif path == '/spin':
        spin_forever()
    elif path == '/selfref':
        l = []
        l.append(l)
        body = repr(l).encode('ascii')
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [body]
    elif path == '/go-panic':
        str(ValueError())
    elif path == '/huge-list':
        [0] * 10 ** 18
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok\n']
