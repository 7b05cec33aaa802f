"""The CPython worker's request loop, timed without gowsgi: Lane.handle()
on a hello-world app, with the lane's socket replaced by a list, so what is
timed is the Python the worker runs per request (no syscalls, no GIL
hand-offs). Run with the interpreter to measure:

    /usr/bin/python3 bench/pyloop/pyloop.py [requests]

It prints CPU microseconds per request (the best of 5 runs;
thread CPU time, so that time the machine gave to others is not counted).
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'runner', 'engine', 'cpython'))
import worker  # noqa: E402

ENVIRON = [
    'REQUEST_METHOD', 'GET', 'SCRIPT_NAME', '', 'PATH_INFO', '/', 'QUERY_STRING', '',
    'RAW_URI', '/', 'REMOTE_ADDR', '127.0.0.1', 'REMOTE_PORT', '51234',
    'SERVER_NAME', '127.0.0.1', 'SERVER_PORT', '8080', 'SERVER_PROTOCOL', 'HTTP/1.1',
    'HTTP_HOST', '127.0.0.1:8080', 'HTTP_USER_AGENT', 'wrk', 'HTTP_ACCEPT', '*/*',
    'wsgi.url_scheme', 'http', 'gowsgi.body', '0',
]
PAYLOAD = '\0'.join(ENVIRON).encode('latin-1')
HELLO = b'Hello, world!\n'


def hello(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(HELLO)))])
    return [HELLO]


class ListConn(object):
    """A Conn that keeps what is sent."""

    def __init__(self):
        self.sent = []
        import threading
        self.lock = threading.Lock()

    def send(self, data):
        self.sent.append(data)

    def send_data(self, head, data):
        self.sent.append(head + data)

    def waiting(self):
        return False


class FakeWorker(object):
    multithread = True
    multiprocess = False
    app = staticmethod(hello)

    def busy(self, delta):
        pass


def lane():
    ln = worker.Lane.__new__(worker.Lane)
    ln.worker = FakeWorker()
    ln.conn = ListConn()
    import threading
    ln.rlock = threading.Lock()
    ln.constants = None
    return ln


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    ln = lane()
    handle = ln.handle
    best = None
    for _ in range(5):
        del ln.conn.sent[:]
        t = time.thread_time()
        for _ in range(n):
            handle(PAYLOAD)
        dt = time.thread_time() - t
        best = dt if best is None else min(best, dt)
    assert ln.conn.sent[-1].endswith(b'E\0\0\0\0'), ln.conn.sent[-1]
    print('%.2f us per request (best of 5 x %d), %s' % (best / n * 1e6, n, sys.version.split()[0]))


if __name__ == '__main__':
    main()
