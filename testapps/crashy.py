"""Apps that break the worker process itself (CPython only)."""
import os
import time


def exit_now(environ, start_response):
    """The worker process vanishes mid-request."""
    os._exit(3)


def hang(environ, start_response):
    """Never answers: only --timeout gets the client an answer."""
    while True:
        time.sleep(1)


def segfault(environ, start_response):
    import ctypes
    ctypes.string_at(0)


def ok(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok\n']


def router(environ, start_response):
    path = environ.get('PATH_INFO', '/')
    app = {'/exit': exit_now, '/hang': hang, '/segfault': segfault}.get(path, ok)
    return app(environ, start_response)
