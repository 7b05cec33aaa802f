"""An app that leaves a thread behind holding what its request was handed:
wsgi.input, start_response or the write() callable (CPython only). Served
with --threads 1, the next request runs on the same lane, and must not be
touched by the old request's leftovers.

POST /leave/WHAT answers at once and leaves a thread that waits for the next
request to begin, then uses WHAT. POST /next lets it, waits until it has
tried, and answers its own body and what the thread's attempt came to.
"""
import threading

NEXT_BEGAN = threading.Event()
TRIED = threading.Event()
OUTCOME = {}


def leave(environ, start_response):
    what = environ['PATH_INFO'].rsplit('/', 1)[-1]
    NEXT_BEGAN.clear()
    TRIED.clear()
    OUTCOME.clear()
    body = environ['wsgi.input']  # left unread: the thread reads it late
    write = start_response('200 OK', [('Content-Type', 'text/plain')])

    def late():
        NEXT_BEGAN.wait(30)
        try:
            if what == 'input':
                OUTCOME[what] = 'read %r' % body.read()
            elif what == 'start_response':
                start_response('200 OK', [('X-Late', 'yes')])
                OUTCOME[what] = 'called'
            else:
                write(b'late bytes')
                OUTCOME[what] = 'wrote'
        except Exception as e:
            OUTCOME[what] = 'raised %s: %s' % (type(e).__name__, e)
        TRIED.set()

    threading.Thread(target=late, daemon=True).start()
    return [('left a thread holding %s\n' % what).encode('ascii')]


def next_request(environ, start_response):
    NEXT_BEGAN.set()
    TRIED.wait(30)
    body = environ['wsgi.input'].read()
    start_response('200 OK', [('Content-Type', 'text/plain')])
    outcome = '; '.join('%s %s' % kv for kv in sorted(OUTCOME.items()))
    return [b'body=' + body + b'\nleft behind: ' + outcome.encode('utf-8') + b'\n']


def router(environ, start_response):
    path = environ.get('PATH_INFO', '/')
    if path.startswith('/leave/'):
        return leave(environ, start_response)
    if path == '/next':
        return next_request(environ, start_response)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok\n']
