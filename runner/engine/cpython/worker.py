"""gowsgi's CPython worker.

gowsgi embeds this file and runs it with the app's interpreter (as the
argument of a `python -c` bootstrap, never from a file). It imports the
WSGI app and serves the requests gowsgi sends over the lanes: fd 3 is the
control socket, fds 4.. are the lanes, one thread each. An ASGI app is
served by asgi.py, the bootstrap's next argument, compiled only for one.
The protocol is in docs/protocol.md. Standard library only: it must run in
any virtualenv.
"""

import importlib
import json
import os
import re
import socket
import struct
import sys
import threading
import types
from itertools import chain

# What only an exception or the debug page needs (traceback, linecache,
# reprlib, logging) is imported when first needed: a worker's start-up is on
# the path of every cold start and reload.

VERSION = 'gowsgi-wire/2'
HEADER = struct.Struct('>BI')

# Frame types, as the byte values they arrive as.
HELLO, IMPORT, READY, FAILED, QUIT, PRELOAD = b'HIKFQP'
REQUEST, BODY, BODY_ERROR, CANCEL = b'RBXC'
READ, START, DATA, END, FAIL, LOG, EXCEPTION = b'rSDEFLx'

# The most body bytes or text one frame carries (wire.MaxChunk in Go):
# bodies are split, text is cut, and a body read asks for at most this much.
MAX_CHUNK = 1 << 20
READ_SIZE = 65536  # what wsgi.input asks for at least
# Below malloc's mmap threshold (recv allocates this much on every call), and
# enough for a whole READ_SIZE body frame.
RECV_SIZE = READ_SIZE + 4096

# This program's frames, which tracebacks leave out: "<gowsgi worker>".
WORKER_FILE = sys._getframe().f_code.co_filename
# The ASGI server's source (asgi.py), which the bootstrap passes after this
# program's; taken off sys.argv at once, so the app never sees it there.
ASGI_SOURCE = sys.argv.pop(1) if len(sys.argv) > 1 else None
ASGI_FILE = '<gowsgi asgi>'
# What this worker serves, announced in its hello.
PROTOCOLS = 'wsgi,asgi' if ASGI_SOURCE else 'wsgi'
OWN_FILES = (WORKER_FILE, ASGI_FILE)


def frame(typ, payload=b''):
    return HEADER.pack(typ, len(payload)) + payload


END_FRAME = frame(END)


def text_frame(typ, text):
    """A LOG or FAIL frame: UTF-8 text, cut to MAX_CHUNK."""
    data = text.encode('utf-8', 'replace')
    if len(data) > MAX_CHUNK:
        data = data[:MAX_CHUNK - 40] + b'\n[... cut: more than 1 MiB of text]\n'
    return frame(typ, data)


# Names whose values the debug page masks: they are secrets more often than not.
SECRET_NAME = re.compile(r'pass|secret|token|key|auth|cookie|session|csrf|credential|signature', re.I)
LIBRARY_DIR = re.compile(r'[/\\](site|dist)-packages[/\\]|[/\\]lib[/\\]python\d')
SAFE_REPR = None  # a reprlib.Repr, made when first needed


def safe_repr_of(value):
    global SAFE_REPR
    if SAFE_REPR is None:
        import reprlib
        r = reprlib.Repr()
        r.maxstring = r.maxother = 240
        r.maxlist = r.maxdict = r.maxset = r.maxtuple = 12
        SAFE_REPR = r
    return SAFE_REPR.repr(value)
APP_DIRS = ()  # the app's own directories (set at import): frames there are the app's
CONTEXT_LINES = 5
MAX_FRAMES = 60
MAX_LOCALS = 40


def safe_repr(value):
    try:
        if type(value) is dict and any(isinstance(k, str) and SECRET_NAME.search(k) for k in value):
            # An environ, a settings dict: its secret entries are masked too.
            value = {k: ('********' if isinstance(k, str) and SECRET_NAME.search(k) else v) for k, v in value.items()}
        text = safe_repr_of(value)
    except BaseException as e:  # a broken __repr__ must not hide the real error
        text = '<repr failed: %s>' % type(e).__name__
    return text if len(text) <= 400 else text[:400] + '...'


def exception_detail(exc):
    """The exception, its chain and every frame (source around each line, the
    local variables) as JSON for gowsgi's debug page."""
    chain = []
    seen = set()
    relation = None
    while exc is not None and id(exc) not in seen and len(chain) < 8:
        seen.add(id(exc))
        chain.append((exc, relation))
        if exc.__cause__ is not None:
            exc, relation = exc.__cause__, 'cause'
        elif exc.__context__ is not None and not exc.__suppress_context__:
            exc, relation = exc.__context__, 'context'
        else:
            exc = None
    out = []
    for exc, relation in reversed(chain):  # the first raised first, as Python prints them
        frames = []
        tb = exc.__traceback__
        while tb is not None:
            f = tb.tb_frame
            filename = f.f_code.co_filename
            if filename not in OWN_FILES and not filename.startswith('<frozen importlib'):
                frames.append(frame_detail(f, tb.tb_lineno))
            tb = tb.tb_next
        if len(frames) > MAX_FRAMES:
            frames = frames[:MAX_FRAMES // 2] + frames[-MAX_FRAMES // 2:]
        out.append({'type': exc_type_name(exc), 'message': str_safely(exc), 'frames': frames,
                    'relation': relation})
    return {'exceptions': out}


def frame_detail(f, lineno):
    import linecache
    filename = f.f_code.co_filename
    first = max(lineno - CONTEXT_LINES, 1)
    lines = [linecache.getline(filename, n).rstrip('\n') for n in range(first, lineno + CONTEXT_LINES + 1)]
    while lines and not lines[-1]:
        lines.pop()
    local_vars = []
    for name, value in list(f.f_locals.items())[:MAX_LOCALS]:
        local_vars.append([name, '********' if SECRET_NAME.search(name) else safe_repr(value)])
    path = os.path.abspath(filename)
    return {'file': filename, 'line': lineno, 'function': f.f_code.co_name, 'first': first,
            'code': lines, 'locals': local_vars,
            'app': path.startswith(APP_DIRS) and not LIBRARY_DIR.search(path)}


def exc_type_name(exc):
    t = type(exc)
    return t.__name__ if t.__module__ in ('builtins', '__main__') else t.__module__ + '.' + t.__qualname__


def str_safely(exc):
    try:
        return str(exc)
    except BaseException:
        return '<str failed>'


def detail_payload(exc):
    """The JSON of an EXCEPTION frame for exc; empty when it cannot be built."""
    try:
        data = json.dumps(exception_detail(exc)).encode('utf-8', 'replace')
    except BaseException:
        return b''
    return data if len(data) <= MAX_CHUNK else b''


def detail_frame(exc):
    """An EXCEPTION frame for exc; empty when it cannot be built."""
    data = detail_payload(exc)
    return frame(EXCEPTION, data) if data else b''


class LoggedExceptions(object):
    """Remembers the last exception a request logged (Flask and Django log the
    exceptions they turn into their own 500 page), so that the debug page can
    show it in place of the framework's bare one. It sees every log record as
    it is made (a record factory), so it changes nothing of the app's own
    logging set-up: no handler, no level."""

    def __init__(self):
        self.local = threading.local()
        self.make = None
        self.wanted = False  # install() was called, but logging is not imported yet

    def install(self):
        """Sees the records from now on: at once when logging is imported,
        else as soon as the app has imported it (checked at each request), so
        that a worker whose app never logs never imports logging."""
        if 'logging' not in sys.modules:
            self.wanted = True
            return
        import logging
        self.wanted = False
        self.make = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self.record)

    def record(self, *args, **kwargs):
        rec = self.make(*args, **kwargs)
        if rec.exc_info and rec.exc_info[1] is not None and rec.levelno >= 40:  # logging.ERROR
            self.local.exc = rec.exc_info[1]
        return rec

    def take(self):
        if self.wanted and 'logging' in sys.modules:
            self.install()
        local = self.local
        exc = getattr(local, 'exc', None)
        if exc is not None:
            local.exc = None
        return exc


LOGGED = LoggedExceptions()


class Closed(Exception):
    """gowsgi closed the socket: the worker has nothing left to do."""


class Conn(object):
    """Frames over one socket, with our own buffer so that we can tell
    whether a frame (a cancel) is waiting without blocking."""

    def __init__(self, fd):
        self.sock = socket.socket(fileno=fd)
        self.buf = bytearray()
        # Sends come from the lane's thread, but also from any thread the app
        # hands wsgi.errors to: a frame must go out whole.
        self.lock = threading.Lock()

    def read(self):
        buf = self.buf
        if not buf:
            # The common case: one recv brings exactly one whole frame.
            data = self.sock.recv(RECV_SIZE)
            if not data:
                raise Closed()
            if len(data) >= 5:
                typ, n = HEADER.unpack_from(data)
                if len(data) == 5 + n:
                    return typ, data[5:]
            buf += data
        while True:
            if len(buf) >= 5:
                typ, n = HEADER.unpack_from(buf)
                if len(buf) >= 5 + n:
                    payload = bytes(buf[5:5 + n])
                    del buf[:5 + n]
                    return typ, payload
            data = self.sock.recv(RECV_SIZE)
            if not data:
                raise Closed()
            buf += data

    def waiting(self):
        """True when a frame (or EOF) can be read without blocking."""
        if len(self.buf) >= 5:
            return True
        try:
            self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            return False
        return True  # a frame, or EOF: either way, reading won't block

    def send(self, data):
        with self.lock:
            self.sock.sendall(data)

    def send_data(self, head, data):
        """Sends head (frames, may be empty) then data as DATA frames of at
        most MAX_CHUNK bytes; large chunks go out without being copied."""
        n = len(data)
        if n <= 65536:
            self.send(head + frame(DATA, data))
            return
        view = memoryview(data)
        with self.lock:
            sendall = self.sock.sendall
            if head:
                sendall(head)
            for i in range(0, n, MAX_CHUNK):
                part = view[i:i + MAX_CHUNK]
                sendall(HEADER.pack(DATA, len(part)))
                sendall(part)


class Cancelled(BaseException):
    """The client went away or the request timed out. A BaseException, so an
    app's `except Exception` does not swallow it."""


class Input(object):
    """wsgi.input: the request body, pulled from gowsgi as the app reads it."""

    def __init__(self, req, has_body):
        self.req = req
        self.buf = bytearray()  # deleting from the front of a bytearray is cheap
        self.eof = not has_body
        self.error = None

    def _fill(self, want=READ_SIZE, need=1):
        """Asks gowsgi for body bytes: at most max(want, READ_SIZE), and at
        least need of them unless the body ends first (a read(n) needs what
        it lacks; a readline needs one byte)."""
        req = self.req
        lane = req.lane
        # Under the lane's read lock: another thread of the app may read the
        # socket (this body, or a cancel) at the same time, and a request
        # that has ended must never read the next one's frames.
        with lane.rlock:
            req.check_live('wsgi.input read')
            if self.error is not None:
                raise IOError(self.error)
            want = min(max(want, READ_SIZE), MAX_CHUNK)
            need = min(max(need, 1), want)
            lane.conn.send(frame(READ, struct.pack('>II', want, need)))
            while True:
                typ, payload = lane.conn.read()
                if typ == CANCEL:
                    req.cancelled = True
                    continue
                break
        if typ == BODY:
            if payload:
                self.buf += payload
            else:
                self.eof = True
        elif typ == BODY_ERROR:
            self.eof = True
            self.error = payload.decode('utf-8', 'replace')
            raise IOError(self.error)
        else:
            raise RuntimeError('gowsgi worker: unexpected frame %r while reading the body' % chr(typ))

    def _take(self, n):
        data = bytes(memoryview(self.buf)[:n])
        del self.buf[:n]
        return data

    def read(self, size=-1):
        self.req.check_live('wsgi.input read')
        if size is None or size < 0:
            while not self.eof:
                self._fill(MAX_CHUNK, MAX_CHUNK)
            return self._take(len(self.buf))
        while len(self.buf) < size and not self.eof:
            self._fill(size - len(self.buf), size - len(self.buf))
        return self._take(size)

    def readline(self, size=-1):
        self.req.check_live('wsgi.input read')
        if size is None:
            size = -1
        start = 0
        while True:
            i = self.buf.find(b'\n', start)
            if i >= 0:
                end = i + 1
                break
            if self.eof or 0 <= size <= len(self.buf):
                end = len(self.buf)
                break
            start = len(self.buf)
            self._fill()
        if 0 <= size < end:
            end = size
        return self._take(end)

    def readlines(self, hint=None):
        lines, total = [], 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if hint and total >= hint:
                return lines

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class Errors(object):
    """wsgi.errors: text for gowsgi's log, sent a line at a time. After the
    request, what the app still writes to it goes to stderr."""

    def __init__(self, req):
        self.req = req
        self.pending = ''

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError('wsgi.errors.write() takes str, not %s' % type(s).__name__)
        req = self.req
        with req.lock:
            if req.done:
                sys.stderr.write(s)
                return
            self.pending += s
            if '\n' in self.pending or len(self.pending) > 65536:
                head, nl, self.pending = self.pending.rpartition('\n')
                if not nl:
                    head, self.pending = self.pending, ''
                req.lane.conn.send(text_frame(LOG, head))

    def writelines(self, seq):
        for s in seq:
            self.write(s)

    def flush(self):
        req = self.req
        with req.lock:
            if self.pending and not req.done:
                req.lane.conn.send(text_frame(LOG, self.pending))
                self.pending = ''


class FileWrapper(object):
    """wsgi.file_wrapper: iterates a file in blocks and closes it."""

    def __init__(self, filelike, blksize=65536):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, 'close'):
            self.close = filelike.close

    def __iter__(self):
        read, size = self.filelike.read, self.blksize
        while True:
            data = read(size)
            if not data:
                return
            yield data


class Request(object):
    """One request on a lane. What the app is handed (start_response, the
    write() callable, wsgi.input, wsgi.errors) belongs to the request, not to
    the lane: once the request has ended it raises (wsgi.errors goes to
    stderr), so a thread the app left behind cannot reach the next request
    on the lane through it."""

    def __init__(self, lane):
        self.lane = lane
        self.status = None
        self.headers = None
        self.sent = False
        self.cancelled = False
        self.done = False
        self.errors = None
        # Held by every send made for the request from the app's side (write(),
        # wsgi.errors) and by end(): nothing of it goes out after its end.
        self.lock = threading.RLock()

    def check_live(self, what):
        if self.done:
            raise IOError('%s after its response ended' % what)

    def end(self):
        """Ends the request for everything the app holds of it. The lane's
        thread then sends the last frame."""
        with self.lock:
            errors = self.errors
            if errors is not None and errors.pending:
                errors.flush()
            with self.lane.rlock:  # wait for a read of wsgi.input in flight
                self.done = True

    def check_cancel(self):
        """Reads what is waiting: a cancel means stop iterating."""
        conn = self.lane.conn
        with self.lane.rlock:
            if not conn.waiting():
                return  # it was the answer to a read of wsgi.input on another thread
            try:
                typ, _ = conn.read()
            except Closed:
                self.cancelled = True
                return
        if typ == CANCEL:
            self.cancelled = True

    def check_started(self):
        if self.status is None:
            raise AssertionError('the app returned without calling start_response()')

    def start_response(self, status, headers, exc_info=None):
        if self.done:
            raise RuntimeError('start_response() called after its response ended')
        if exc_info:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError('start_response() called a second time without exc_info (PEP 3333)')
        if type(status) is not str:
            raise TypeError('status must be a str, not %s' % type(status).__name__)
        if type(headers) is not list:
            raise TypeError('headers must be a list, not %s' % type(headers).__name__)
        for h in headers:
            if type(h) is not tuple or len(h) != 2 or type(h[0]) is not str or type(h[1]) is not str:
                raise TypeError('each header must be a (str, str) tuple, got %r' % (h,))
        self.status = status
        self.headers = headers
        return self.write

    def start_frame(self):
        headers = self.headers
        joined = '\0'.join([self.status, *chain.from_iterable(headers)])
        if joined.count('\0') != 2 * len(headers):
            # The fields travel NUL-separated: a NUL inside one would forge headers.
            raise ValueError('a NUL character in the status or a header: %r' % (self.headers,))
        try:
            payload = joined.encode('latin-1')
        except UnicodeEncodeError as e:
            raise ValueError('status and headers must be latin-1 (PEP 3333): %s' % e)
        self.sent = True
        out = frame(START, payload)
        if self.status[:3] == '500':
            # A framework caught an exception and answers its own 500: say
            # what it logged, for the debug page.
            logged = LOGGED.take()
            if logged is not None:
                out = detail_frame(logged) + out
        return out

    def send_body(self, data):
        if self.sent:
            self.lane.conn.send_data(b'', data)
        else:
            self.check_started()
            self.lane.conn.send_data(self.start_frame(), data)

    def write(self, data):
        """The write() callable start_response returns."""
        if type(data) is not bytes:
            raise TypeError('write() takes bytes, not %s' % type(data).__name__)
        with self.lock:
            if self.done:
                raise RuntimeError('write() called after its response ended')
            if data:
                if self.cancelled:
                    raise Cancelled()
                self.send_body(data)
                if self.lane.conn.waiting():
                    self.check_cancel()
                if self.cancelled:
                    raise Cancelled()


class Lane(object):
    """One worker thread and its socket: requests one at a time."""

    def __init__(self, worker, fd):
        self.worker = worker
        self.conn = Conn(fd)
        self.constants = None  # the environ's entries that are the same for every request
        # Held by every read of the socket while a request runs: the app may
        # read wsgi.input on a thread of its own while this one looks for a
        # cancel. Between requests only this thread reads.
        self.rlock = threading.Lock()

    def serve(self):
        try:
            while True:
                typ, payload = self.conn.read()
                if typ == REQUEST:
                    self.worker.busy(1)
                    try:
                        self.handle(payload)
                    finally:
                        self.worker.busy(-1)
                # A cancel that crossed the end of its request is stale.
        except (Closed, OSError):
            pass
        except BaseException:
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(70)

    def handle(self, payload):
        fields = payload.decode('latin-1').split('\0')
        it = iter(fields)
        environ = dict(zip(it, it))
        has_body = environ.pop('gowsgi.body', '1') != '0'
        worker = self.worker
        req = Request(self)
        constants = self.constants
        if constants is None:
            constants = self.constants = {
                'wsgi.version': (1, 0),
                'wsgi.multithread': worker.multithread,
                'wsgi.multiprocess': worker.multiprocess,
                'wsgi.run_once': False,
                'wsgi.input_terminated': True,
                'wsgi.file_wrapper': FileWrapper,
            }
        environ.update(constants)
        environ['wsgi.input'] = Input(req, has_body)
        req.errors = environ['wsgi.errors'] = Errors(req)

        conn = self.conn
        LOGGED.take()
        result = None
        error = None
        detail = b''
        try:
            result = worker.app(environ, req.start_response)
            if not req.sent and type(result) is list and len(result) == 1 and type(result[0]) is bytes:
                # The common one-chunk answer: status, body and end in one write.
                body = result[0]
                req.check_started()
                out = req.start_frame()
                req.end()
                if len(body) > 65536:
                    conn.send_data(out, body)
                    conn.send(END_FRAME)
                elif body:
                    conn.send(b''.join((out, HEADER.pack(DATA, len(body)), body, END_FRAME)))
                else:
                    conn.send(out + END_FRAME)
                return
            for chunk in result:
                if type(chunk) is not bytes:
                    raise TypeError('the app yielded %s, not bytes: WSGI response bodies are bytes '
                                    '(encode text first, e.g. s.encode("utf-8"))' % type(chunk).__name__)
                if chunk:
                    req.send_body(chunk)
                    if conn.waiting():
                        req.check_cancel()
                    if req.cancelled:
                        break
        except Cancelled:
            pass
        except BaseException as e:
            error = app_traceback()
            detail = detail_frame(e)
        if result is not None and hasattr(result, 'close'):
            try:
                result.close()
            except BaseException as e:
                if error is None:
                    error = app_traceback()
                    detail = detail_frame(e)
        req.end()
        if error is not None:
            conn.send(detail + text_frame(FAIL, error))
        elif req.sent or req.cancelled:
            conn.send(END_FRAME)
        else:
            try:
                req.check_started()
                out = req.start_frame()
            except BaseException as e:
                conn.send(detail_frame(e) + text_frame(FAIL, app_traceback()))
                return
            conn.send(out + END_FRAME)


class Worker(object):
    def __init__(self):
        self.control = Conn(3)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.idle = threading.Condition(self.lock)

    def busy(self, delta):
        with self.lock:
            self.in_flight += delta
            if self.in_flight == 0:
                self.idle.notify_all()

    def run(self):
        self.control.send(frame(HELLO, '\0'.join([
            VERSION, 'cpython', sys.version.split()[0], sys.executable, str(os.getpid()), PROTOCOLS,
        ]).encode('utf-8')))
        try:
            typ, payload = self.control.read()
            while typ == PRELOAD:
                preload(json.loads(payload.decode('utf-8')))
                typ, payload = self.control.read()
        except Closed:
            return 0
        if typ != IMPORT:
            return 70
        cfg = json.loads(payload.decode('utf-8'))
        self.multithread = bool(cfg.get('multithread', True))
        self.multiprocess = bool(cfg.get('multiprocess', False))
        global APP_DIRS
        APP_DIRS = tuple(os.path.join(os.path.abspath(d), '') for d in (cfg.get('fresh') or [cfg['root']]))
        LOGGED.install()
        watchdog = ImportWatchdog(self.control, cfg.get('import_timeout') or 0)
        asgi = cfg.get('protocol') == 'asgi'
        try:
            if asgi:
                self.app, self.notes = load(cfg), []
            else:
                self.app, self.notes = development_wrappers(load(cfg))
        except BaseException:
            if watchdog.finish():
                self.control.send(frame(FAILED, format_import_error(cfg).encode('utf-8', 'replace')))
            return 1
        if not watchdog.finish():
            threading.Event().wait()  # it reported the timeout and ends the process
        if asgi:
            return self.serve_asgi(cfg)
        for i in range(int(cfg['threads'])):
            t = threading.Thread(target=Lane(self, 4 + i).serve, name='gowsgi-lane-%d' % (i + 1))
            t.daemon = True
            t.start()
        self.control.send(self.ready_frame(cfg, self.notes))
        try:
            while self.control.read()[0] != QUIT:
                pass
        except Closed:
            pass
        with self.lock:
            while self.in_flight:
                self.idle.wait()
        return 0

    def ready_frame(self, cfg, notes):
        fresh = cfg.get('fresh') or [cfg['root']]
        ready = {'preload': libraries(fresh), 'files': own_files(fresh), 'notes': notes,
                 'uncompiled': uncompiled(cfg.get('changed') or [], cfg['root'])}
        return frame(READY, json.dumps(ready).encode('utf-8'))

    def serve_asgi(self, cfg):
        """Hands the worker over to asgi.py: an event loop serving lane fd 4."""
        ns = {'__name__': 'gowsgi_asgi', '__builtins__': __builtins__, 'W': sys.modules[__name__]}
        cached = globals().get('_gowsgi_compile')  # the bootstrap's code cache
        if cached is not None:
            code = cached(ASGI_SOURCE, ASGI_FILE, _gowsgi_cache[2])  # noqa: F821 (the bootstrap's)
        else:
            code = compile(ASGI_SOURCE, ASGI_FILE, 'exec')
        exec(code, ns)
        return ns['serve'](self, cfg)


class ImportWatchdog(object):
    """At --import-timeout, reports where the app's import is, as its failure,
    and ends the worker (gowsgi would kill it a moment later anyway): the
    author sees the line that hangs, not just that something did."""

    def __init__(self, control, seconds):
        self.control = control
        self.seconds = seconds
        self.main = threading.get_ident()
        self.lock = threading.Lock()
        self.over = False  # the import finished, or the timeout was reported: not both
        self.timer = None
        if seconds > 0:
            self.timer = threading.Timer(seconds, self.report)
            self.timer.daemon = True
            self.timer.start()

    def finish(self):
        """The import is over. False when the timeout was reported first."""
        with self.lock:
            if self.over:
                return False
            self.over = True
        if self.timer is not None:
            self.timer.cancel()
        return True

    def report(self):
        with self.lock:
            if self.over:
                return
            self.over = True
        import traceback
        where = sys._current_frames().get(self.main)
        frames = own_frames(traceback.extract_stack(where)) if where is not None else []
        text = ''.join(['Traceback (most recent call last):\n'] + traceback.format_list(frames)) if frames else ''
        text += 'gowsgi: the app did not finish importing within --import-timeout %gs; it was stopped here\n' % self.seconds
        try:
            self.control.send(frame(FAILED, text.encode('utf-8', 'replace')))
        finally:
            os._exit(1)


def setup_path(cfg):
    # The app's directory first, then --pythonpath, as twistd has them (the
    # bootstrap left no directory of its own there). Preload and load both
    # call this: once is enough.
    front = [cfg['root']] + list(cfg.get('pythonpath') or [])
    if sys.path[:len(front)] != front:
        sys.path[:0] = front
    os.chdir(cfg['root'])


def libraries(fresh):
    """The modules imported from outside the app's own directories: the
    libraries it uses, which a warm spare may import before the next reload."""
    fresh = tuple(os.path.join(os.path.abspath(d), '') for d in fresh)
    names = []
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, '__file__', None)
        if name == '__main__' or not path or os.path.abspath(path).startswith(fresh):
            continue
        names.append(name)
    return names


def own_files(fresh):
    """The source files of the modules imported from the app's own
    directories: a change to one of them reloads this app, and no other."""
    fresh = tuple(os.path.join(os.path.abspath(d), '') for d in fresh)
    files = []
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, '__file__', None)
        if name == '__main__' or not path:
            continue
        path = os.path.abspath(path)
        if path.startswith(fresh):
            files.append(path[:-1] if path.endswith('.pyc') else path)
    return files


def uncompiled(paths, root):
    """The changed Python files that do not compile, as "file: error (line
    N)": a module the app imports later (Django's views) would otherwise
    fail only at the first request that needs it."""
    out = []
    for path in paths:
        if not path.endswith('.py'):
            continue
        try:
            with open(path, 'rb') as f:
                compile(f.read(), path, 'exec')
        except SyntaxError as e:
            out.append('%s: %s (line %s)' % (os.path.relpath(path, root), e.msg, e.lineno))
        except (OSError, ValueError):
            pass  # removed since, or not a source file
    return out


def preload(cfg):
    """Imports libraries ahead of the app. Failures do not matter: the app's
    own import will import (or fail on) them again."""
    setup_path(cfg)
    for name in cfg.get('modules') or []:
        try:
            importlib.import_module(name)
        except BaseException:
            pass


class NoSuchApp(Exception):
    """The app's module imported, but the name is not there, or not callable."""


class WrongKind(NoSuchApp):
    """The app is there, but a WSGI app given as ASGI, or the other way."""


def shadowed(module, cfg):
    """When module is not the project's own file but one of the same name
    found first (a site.py of the user's under the standard library's), a
    note that says which file was imported."""
    path = getattr(module, '__file__', None)
    if not isinstance(module, types.ModuleType) or not path:
        return ''
    root = os.path.join(os.path.abspath(cfg['root']), '')
    if os.path.abspath(path).startswith(root):
        return ''
    return ' (the module imported is %s, not one of this project: rename yours if it has the same name)' % path


def did_you_mean(name, candidates):
    import difflib
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    if not close:
        return ''
    return '; did you mean %s?' % ' or '.join(repr(c) for c in close)


def module_names():
    """The modules and packages importable from the app's directories."""
    import pkgutil
    return [m.name for m in pkgutil.iter_modules(sys.path[:1 + len(APP_DIRS)])]


def did_you_mean_callable(obj):
    """For a module given where its app was meant: the names in it that are
    WSGI callables."""
    import types
    if not isinstance(obj, types.ModuleType):
        return ''
    names = [n for n in ('application', 'app', 'wsgi_app', 'api') if callable(getattr(obj, n, None))]
    if not names:
        return ''
    return '; did you mean %s?' % ' or '.join(repr(obj.__name__ + '.' + n) for n in names)


def asgi_kind(obj):
    """How obj looks like an ASGI app (FastAPI's and Starlette's
    __call__(scope, receive, send), an async def app), or ''."""
    import inspect
    call = obj if inspect.isfunction(obj) or inspect.ismethod(obj) else getattr(type(obj), '__call__', None)
    if call is None:
        return ''
    if inspect.iscoroutinefunction(call):
        return 'its %s is "async def"' % ('function' if call is obj else '__call__')
    try:
        params = list(inspect.signature(call).parameters)
    except (TypeError, ValueError):
        return ''
    if params and params[0] == 'self' and call is not obj:
        params = params[1:]
    if params[:3] == ['scope', 'receive', 'send']:
        return 'it takes (scope, receive, send)'
    return ''


def positional(call, bound):
    """The names of call's positional parameters (without self when bound),
    and whether it takes *args; None when it has no signature."""
    import inspect
    try:
        params = list(inspect.signature(call).parameters.values())
    except (TypeError, ValueError):
        return None
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if bound and names:
        names = names[1:]
    return names, any(p.kind == p.VAR_POSITIONAL for p in params)


class ASGI2(object):
    """An ASGI 2 app (app(scope) returns an instance to await with
    (receive, send)) as an ASGI 3 one."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        await self.app(scope)(receive, send)


def asgi_app(spec, obj):
    """obj as an ASGI 3 app: an async def app(scope, receive, send), an
    object with such a __call__ (FastAPI, Starlette), or an ASGI 2 app
    (a class or callable taking the scope), wrapped. A WSGI app is refused."""
    import inspect
    if getattr(obj, 'wsgi_app', None) is not None and callable(obj.wsgi_app):
        kind = 'it has a wsgi_app, as Flask apps do'  # Flask's __call__(environ, start_response)
    elif inspect.isclass(obj):
        if hasattr(obj, '__await__'):
            return obj  # instances are awaited: ASGI 3
        sig = positional(obj.__init__, True) if obj.__init__ is not object.__init__ else ([], False)
        if sig is None or sig[1] or len(sig[0]) == 1:
            return ASGI2(obj)  # the class takes the scope
        if len(sig[0]) == 2:
            kind = 'it is a class taking (%s)' % ', '.join(sig[0])
        else:
            return obj
    else:
        function = inspect.isfunction(obj) or inspect.ismethod(obj) or not hasattr(type(obj), '__call__')
        call = obj if function else type(obj).__call__
        if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(obj):
            return obj
        sig = positional(obj, False)  # a bound view: no self
        if sig is None or sig[1] or len(sig[0]) >= 3:
            return obj  # app(scope, receive, send) returning an awaitable
        if len(sig[0]) == 1:
            return ASGI2(obj)
        if len(sig[0]) == 2:
            kind = 'it takes (%s)' % ', '.join(sig[0])
        else:
            return obj
    raise WrongKind('%s is a WSGI app (%s), not an ASGI one: gowsgi web --asgi serves ASGI apps '
                    '(async def app(scope, receive, send)); serve it with --wsgi instead' % (spec, kind))


def load(cfg):
    setup_path(cfg)
    spec = cfg['app']
    if ':' in spec:
        modname, _, attrs = spec.partition(':')
        obj = importlib.import_module(modname)
        names = attrs.split('.')
    else:
        parts = spec.split('.')
        if len(parts) < 2:
            raise NoSuchApp('%r names no module: give module.attribute, e.g. foo.application' % spec)
        obj = None
        for i in range(len(parts) - 1, 0, -1):
            modname = '.'.join(parts[:i])
            try:
                obj = importlib.import_module(modname)
            except ModuleNotFoundError as e:
                # Try a shorter prefix only when this very module is missing,
                # not when something it imports is (Twisted's namedAny does the same).
                if e.name and (modname == e.name or modname.startswith(e.name + '.')):
                    continue
                raise
            names = parts[i:]
            break
        if obj is None:
            raise NoSuchApp('no module named %r (looked in %s)%s' % (
                parts[0], ', '.join(sys.path[:3]), did_you_mean(parts[0], module_names())))
    for name in names:
        try:
            obj = getattr(obj, name)
        except AttributeError:
            raise NoSuchApp('%s has no attribute %r%s%s' % (
                getattr(obj, '__name__', repr(obj)), name, did_you_mean(name, [a for a in dir(obj) if not a.startswith('__')]),
                shadowed(obj, cfg)))
    asgi = cfg.get('protocol') == 'asgi'
    if not callable(obj):
        raise NoSuchApp('%s is a %s, not %s%s' % (
            spec, type(obj).__name__, 'an ASGI app' if asgi else 'a WSGI callable', did_you_mean_callable(obj)))
    if asgi:
        return asgi_app(spec, obj)
    kind = asgi_kind(obj)
    if kind:
        raise WrongKind('%s is an ASGI app (%s), not a WSGI one: gowsgi web --wsgi serves WSGI callables '
                        '(app(environ, start_response)); serve it with --asgi instead' % (spec, kind))
    return obj


def development_wrappers(app):
    """What a framework's own development server adds around the app, added
    the same way: Django's runserver serves static files while DEBUG is on
    and django.contrib.staticfiles is installed. Returns the app to serve and
    notes for the banner."""
    if 'django' not in sys.modules:
        return app, []
    from django.core.handlers.wsgi import WSGIHandler
    if not isinstance(app, WSGIHandler):
        return app, []
    from django.conf import settings
    if not settings.DEBUG or 'django.contrib.staticfiles' not in settings.INSTALLED_APPS:
        return app, []
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    return StaticFilesHandler(app), [
        'Django static files at %s, as runserver serves them (DEBUG is on)' % settings.STATIC_URL]


def app_traceback():
    """The current exception's traceback without gowsgi's and importlib's
    frames: the app's author wants to see the app."""
    import traceback
    etype, value, tb = sys.exc_info()
    frames = own_frames(traceback.extract_tb(tb))
    lines = ['Traceback (most recent call last):\n'] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(etype, value)
    return ''.join(lines)


def own_frames(frames):
    """The frames of a traceback or stack that are not gowsgi's or importlib's."""
    return [f for f in frames
            if f.filename not in OWN_FILES and f.filename != importlib.__file__
            and not f.filename.startswith('<frozen importlib')]


def format_import_error(cfg):
    e = sys.exc_info()[1]
    kind = (cfg.get('protocol') or 'wsgi').upper()
    if isinstance(e, WrongKind):
        return 'Not a %s application: %s: %s\n' % (kind, cfg['app'], e)
    if isinstance(e, NoSuchApp):
        return 'No such %s application: %s: %s\n' % (kind, cfg['app'], e)
    return app_traceback()


def main():
    # The app's prints go to gowsgi's log, one line at a time.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)
        except AttributeError:
            pass
    code = Worker().run()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == '__main__':
    main()
