"""gowsgi's ASGI server, the worker's other half.

worker.py compiles this file (the bootstrap's next argument) when the app is
imported with "protocol": "asgi", and hands over with serve(). It runs an
asyncio event loop (uvloop's when the interpreter has it) in the main thread:
every HTTP request and WebSocket is a stream on the one lane (fd 4) and a
task in the loop; the control socket (fd 3) brings the quit. The protocol is
docs/protocol.md, "ASGI: one lane, many streams". Standard library only.

`W` is worker.py's namespace, given by worker.py: the frame helpers, the
exception report for the debug page and the traceback filter (which leaves
this file's frames out, as it does worker.py's).
"""

import asyncio
import os
import struct
import sys
import traceback
import types
from collections import deque
from urllib.parse import unquote_to_bytes

HEAD = struct.Struct('>BII')  # type, length, stream id: the 9 bytes before a stream's payload
CONTROL_HEAD = struct.Struct('>BI')
U32 = struct.Struct('>I')
U16 = struct.Struct('>H')

# Go -> worker, as the byte values they arrive as.
OPEN_HTTP, OPEN_WS, BODY, MESSAGE, ACK, DISCONNECT, CANCEL = b'hwbmadk'
# Worker -> Go.
READ, GRANT, START, DATA, PATHSEND, ACCEPT, WSEND, CLOSE, EXCEPTION, FAIL, END = b'rgSDPAWCxFE'
QUIT = W.QUIT

MAX_CHUNK = W.MAX_CHUNK        # the most body bytes one D frame carries
MAX_PAYLOAD = 16 << 20         # the most any frame carries (wire.MaxPayload)
READ_WANT = 256 << 10          # what an r asks for
WS_WINDOW = 1 << 20            # unacknowledged WebSocket bytes a send() may leave behind
WS_GRANT = 32                  # messages granted at accept (uvicorn's queue of 32)
MAX_CANCEL_WAIT = 5.0          # how long a quit waits for cancelled tasks to end

ASGI_HTTP = {'version': '3.0', 'spec_version': '2.4'}
ASGI_LIFESPAN = {'version': '3.0', 'spec_version': '2.0'}

CoroutineType = types.CoroutineType


class NotAwaitable(TypeError):
    """The app returned something that is not an awaitable: not an ASGI app
    at all (a plain def), whatever its lifespan support."""


class ClientDisconnected(OSError):
    """send() after the client went away (ASGI www spec 2.4)."""


def end_frame(sid):
    return HEAD.pack(END, 4, sid)


def text_payload(text):
    data = text.encode('utf-8', 'replace')
    if len(data) > MAX_CHUNK:
        data = data[:MAX_CHUNK - 40] + b'\n[... cut: more than 1 MiB of text]\n'
    return data


def log(text):
    """A line (or a traceback) for gowsgi's log, through stderr."""
    sys.stderr.write(text if text.endswith('\n') else text + '\n')
    sys.stderr.flush()


def message_type(message):
    try:
        return message['type']
    except (KeyError, TypeError):
        raise TypeError('send() takes an ASGI message: a dict with a "type", not %r' % (message,)) from None


def pack_headers(status, headers, what):
    """The S payload: status\\0name\\0value... (bytes)."""
    if type(status) is not int or not 100 <= status <= 999:
        raise TypeError('%s: status must be an int from 100 to 999, not %r' % (what, status))
    parts = [b'%d' % status]
    n = 0
    try:
        for name, value in headers:
            parts.append(name)
            parts.append(value)
            n += 1
        payload = b'\0'.join(parts)
    except (TypeError, ValueError):
        raise TypeError('%s: headers must be an iterable of [name, value] byte strings, not %r'
                        % (what, headers)) from None
    if payload.count(b'\0') != 2 * n:
        # The fields travel NUL-separated: a NUL inside one would forge headers.
        raise ValueError('%s: a NUL byte in a header: %r' % (what, headers))
    return payload


def body_bytes(body, what):
    if type(body) is bytes:
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise TypeError('%s: body must be bytes, not %s' % (what, type(body).__name__))


class Stream(object):
    """What a stream's task shares with the lane."""

    __slots__ = ('lane', 'sid', 'scope', 'task', 'rwait', 'swait', 'disconnected', 'cancelled',
                 'unacked', 'start', 'state', 'held', 'quitting')

    def __init__(self, lane, sid, scope):
        self.lane = lane
        self.sid = sid
        self.scope = scope
        self.task = None
        self.rwait = None   # the future receive() waits on
        self.swait = None   # the future send() waits on (an ack)
        self.disconnected = False
        self.cancelled = False  # by a k: the runner has answered already
        self.quitting = False   # cancelled by the quit's deadline
        self.unacked = 0
        self.start = None   # the S payload, held until the first body
        self.state = 0
        self.held = None    # a complete 500 response, held for one turn (see send_body)

    def wake_receive(self):
        fut = self.rwait
        if fut is not None and not fut.done():
            fut.set_result(None)

    def wake_send(self):
        fut = self.swait
        if fut is not None and not fut.done():
            fut.set_result(None)

    def on_disconnect(self, payload):
        self.disconnected = True
        self.wake_receive()
        self.wake_send()

    def on_ack(self, payload):
        if len(payload) >= 4:
            self.unacked -= U32.unpack_from(payload)[0]
            self.wake_send()

    async def wait_acked(self, window):
        # A send under way when the client leaves returns, its bytes lost as
        # if buffered; the next send() raises. Meanwhile receive() returns
        # the disconnect, and a framework that listens for it stops the app
        # its own way: Starlette cancels the response's task, which closes
        # the body's generator (its finally runs), where an exception from
        # this send would leave the generator suspended.
        while self.unacked > window and not self.disconnected:
            fut = self.swait = self.lane.loop.create_future()
            await fut

    # The HTTP response, shared by http streams and the WebSocket denial page.
    # state: 0 nothing sent, 1 start held, 2 start written, 3 complete.

    def send_start(self, message, what):
        if self.state:
            raise RuntimeError('%s: the response has %s' % (
                what, 'completed already' if self.state == 3 else 'started already'))
        if self.disconnected:
            raise ClientDisconnected('the client is gone')
        self.start = pack_headers(message.get('status'), message.get('headers', ()), what)
        self.state = 1

    async def send_body(self, message, what):
        state = self.state
        if state != 1 and state != 2:
            raise RuntimeError('%s %s' % (what, 'before http.response.start' if state == 0
                                          else 'after the response completed'))
        if self.disconnected:
            raise ClientDisconnected('the client is gone')
        body = message.get('body', b'')
        if type(body) is not bytes:
            body = body_bytes(body, what)
        more = message.get('more_body', False)
        lane = self.lane
        sid = self.sid
        out = []
        page500 = False
        if state == 1:
            start = self.start
            page500 = start[:3] == b'500'
            out.append(HEAD.pack(START, 4 + len(start), sid))
            out.append(start)
            self.start = None
            self.state = 2
        n = len(body)
        if n > MAX_CHUNK:
            view = memoryview(body)
            for i in range(0, n - MAX_CHUNK, MAX_CHUNK):
                out.append(HEAD.pack(DATA, 5 + MAX_CHUNK, sid) + b'\1')
                out.append(view[i:i + MAX_CHUNK])
            last = view[(n - 1) // MAX_CHUNK * MAX_CHUNK:]
        else:
            last = body
        if more:
            if not n:
                if out:
                    lane.write_many(out)  # the start alone: the headers may go out
                return
            out.append(HEAD.pack(DATA, 5 + len(last), sid) + b'\1')
            out.append(last)
            lane.write_many(out)
            self.unacked += n
            await self.wait_acked(0)
            return
        out.append(HEAD.pack(DATA, 5 + len(last), sid) + b'\0')
        out.append(last)
        self.state = 3
        if page500:
            # A framework's own 500 page, sent by an error handler that
            # re-raises (Starlette's): held until the end of this turn, so
            # that the exception's report can go out before it.
            self.held = out
            lane.loop.call_soon(self.release)
        else:
            lane.write_many(out)
        self.wake_receive()

    def release(self):
        held = self.held
        if held is not None:
            self.held = None
            self.lane.write_many(held)

    def on_body(self, payload):
        pass  # not for this kind of stream: ignored

    def on_message(self, payload):
        pass

    async def run(self, app):
        """The task: the app, then the stream's last frames."""
        error = tb = None
        try:
            coro = app(self.scope, self.receive, self.send)
            if type(coro) is not CoroutineType and not hasattr(coro, '__await__'):
                raise TypeError('the app returned %r, not an awaitable: an ASGI app is '
                                '"async def app(scope, receive, send)"' % (coro,))
            await coro
        except asyncio.CancelledError:
            pass
        except BaseException as e:
            if not (isinstance(e, ClientDisconnected) and self.disconnected):
                error, tb = e, W.app_traceback()
        else:
            if not self.cancelled and not self.quitting:
                try:
                    self.returned()
                except BaseException as e:
                    error, tb = e, W.app_traceback()
        if self.cancelled:
            pass  # the runner has answered the client already
        elif error is not None:
            self.failed(error, tb)
        elif self.quitting:
            self.quit_cancelled()
        sid = self.sid
        self.lane.streams.pop(sid, None)
        self.lane.write(end_frame(sid))

    def fail(self, text):
        text = text_payload(text)
        self.lane.write_many((HEAD.pack(FAIL, 4 + len(text), self.sid), text))

    def failed(self, error, tb):
        """The app raised: x and F, or (its response complete) a log entry."""
        lane = self.lane
        sid = self.sid
        held = self.held
        if held is not None:
            # Its 500 page is ready: the report first, then the page.
            self.held = None
            lane.write_many(self.detail(error) + held)
            log('Exception in the ASGI app (%s %s), which answered 500:\n%s' % (
                self.scope.get('method', 'GET'), self.scope['path'], tb))
        elif self.finished() or self.disconnected:
            log('Exception in the ASGI app (%s %s) after its response:\n%s' % (
                self.scope.get('method', 'GET'), self.scope['path'], tb))
        else:
            text = text_payload(tb)
            out = self.detail(error)
            out.append(HEAD.pack(FAIL, 4 + len(text), sid))
            out.append(text)
            lane.write_many(out)

    def detail(self, error):
        data = W.detail_payload(error)
        if not data:
            return []
        return [HEAD.pack(EXCEPTION, 4 + len(data), self.sid), data]

    def quit_cancelled(self):
        """Cancelled at the quit's deadline."""
        if not self.finished() and not self.disconnected:
            self.fail('gowsgi: the worker quit, and this request was still running when its grace ran out\n')


class HTTPStream(Stream):
    """An http scope. req: 0 no body and the empty http.request not yet
    received, 1 body to pull, 2 the body has ended."""

    __slots__ = ('req', 'body', 'reading')

    def __init__(self, lane, sid, scope, has_body):
        Stream.__init__(self, lane, sid, scope)
        self.req = 1 if has_body else 0
        self.body = None     # a b that came while nobody waited for it
        self.reading = False  # an r is out, its b not in

    def on_body(self, payload):
        self.reading = False
        more = payload[:1] == b'\1'
        if not more:
            self.req = 2
        data = payload[1:]
        if self.body is not None:  # two b before a receive(): one message
            data = self.body['body'] + data
        self.body = {'type': 'http.request', 'body': data, 'more_body': more}
        self.wake_receive()

    async def receive(self):
        while True:
            body = self.body
            if body is not None:
                self.body = None
                return body
            req = self.req
            if req == 0:
                self.req = 2
                return {'type': 'http.request', 'body': b'', 'more_body': False}
            if self.disconnected or self.state == 3:
                # Gone, or answered: what is left of the body is not wanted
                # (uvicorn answers the same).
                return {'type': 'http.disconnect'}
            if req == 1 and not self.reading:
                self.reading = True
                self.lane.write(HEAD.pack(READ, 8, self.sid) + U32.pack(READ_WANT))
            fut = self.rwait
            if fut is None or fut.done():
                fut = self.rwait = self.lane.loop.create_future()
            await fut

    async def send(self, message):
        try:
            typ = message['type']
        except (KeyError, TypeError):
            typ = message_type(message)
        if typ == 'http.response.body':
            await self.send_body(message, typ)
        elif typ == 'http.response.start':
            self.send_start(message, typ)
        elif typ == 'http.response.pathsend':
            self.send_path(message)
        else:
            raise RuntimeError('unexpected ASGI message %r on an http scope (expected http.response.start, '
                               'http.response.body or http.response.pathsend)' % (typ,))

    def send_path(self, message):
        state = self.state
        if state != 1 and state != 2:
            raise RuntimeError('http.response.pathsend %s' % (
                'before http.response.start' if state == 0 else 'after the response completed'))
        if self.disconnected:
            raise ClientDisconnected('the client is gone')
        try:
            path = os.fspath(message['path'])
        except (KeyError, TypeError):
            raise TypeError('http.response.pathsend: "path" must be a path, not %r' % (message.get('path'),)) from None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        path = os.path.abspath(path).encode('utf-8', 'surrogateescape')
        out = []
        if state == 1:
            start = self.start
            out.append(HEAD.pack(START, 4 + len(start), self.sid))
            out.append(start)
            self.start = None
        out.append(HEAD.pack(PATHSEND, 4 + len(path), self.sid))
        out.append(path)
        self.state = 3
        self.lane.write_many(out)
        self.wake_receive()

    def returned(self):
        if self.state != 3 and not self.disconnected:
            raise RuntimeError('the ASGI app returned without %s' % (
                'sending http.response.start' if self.state == 0 else 'completing its response '
                '(the last http.response.body has more_body False)'))

    def finished(self):
        return self.state == 3


class WebSocketStream(Stream):
    """A websocket scope. ws: 0 connecting, 1 websocket.connect received,
    2 accepted, 3 closed by the app, 4 denied (close or an HTTP response
    before accept)."""

    __slots__ = ('ws', 'inbox', 'gone', 'consumed')

    def __init__(self, lane, sid, scope):
        Stream.__init__(self, lane, sid, scope)
        self.ws = 0
        self.consumed = 0  # messages read since the last grant
        self.inbox = deque()
        self.gone = None  # the websocket.disconnect message

    def on_message(self, payload):
        if payload[:1] == b't':
            try:
                msg = {'type': 'websocket.receive', 'text': payload[1:].decode('utf-8')}
            except UnicodeDecodeError:
                msg = {'type': 'websocket.receive', 'text': payload[1:].decode('utf-8', 'replace')}
        else:
            msg = {'type': 'websocket.receive', 'bytes': payload[1:]}
        self.inbox.append(msg)
        self.wake_receive()

    def on_disconnect(self, payload):
        code = U16.unpack_from(payload)[0] if len(payload) >= 2 else 1005
        self.gone = {'type': 'websocket.disconnect', 'code': code,
                     'reason': payload[2:].decode('utf-8', 'replace')}
        Stream.on_disconnect(self, payload)

    async def receive(self):
        if self.ws == 0:
            self.ws = 1
            return {'type': 'websocket.connect'}
        while True:
            inbox = self.inbox
            if inbox:
                msg = inbox.popleft()
                # Granted back in batches of half the queue: the runner
                # never runs dry, and a frame per message is saved.
                self.consumed += 1
                if self.consumed >= WS_GRANT // 2 and not self.disconnected:
                    self.lane.write(HEAD.pack(GRANT, 8, self.sid) + U32.pack(self.consumed))
                    self.consumed = 0
                return msg
            if self.gone is not None:
                return self.gone
            if self.ws == 4:
                # Denied: there is no WebSocket to wait on.
                return {'type': 'websocket.disconnect', 'code': 1006, 'reason': ''}
            fut = self.rwait
            if fut is None or fut.done():
                fut = self.rwait = self.lane.loop.create_future()
            await fut

    async def send(self, message):
        typ = message_type(message)
        ws = self.ws
        if typ == 'websocket.send':
            if ws != 2:
                raise RuntimeError('websocket.send %s' % (
                    'after websocket.close' if ws == 3 else
                    'after the handshake was denied' if ws == 4 else 'before websocket.accept'))
            if self.disconnected:
                raise ClientDisconnected('the WebSocket is closed (code %s)' % self.gone['code'])
            text = message.get('text')
            if text is not None:
                if message.get('bytes') is not None:
                    raise ValueError('websocket.send: give "text" or "bytes", not both')
                if type(text) is not str:
                    raise TypeError('websocket.send: "text" must be a str, not %s' % type(text).__name__)
                data = text.encode('utf-8')
                kind = b't'
            else:
                data = message.get('bytes')
                if data is None:
                    raise TypeError('websocket.send needs "text" or "bytes"')
                data = body_bytes(data, 'websocket.send')
                kind = b'b'
            n = len(data)
            if n > MAX_PAYLOAD - 5:
                raise ValueError('websocket.send: a message of %d bytes is larger than 16 MiB' % n)
            self.lane.write_many((HEAD.pack(WSEND, 5 + n, self.sid) + kind, data))
            self.unacked += n
            if self.unacked > WS_WINDOW:
                await self.wait_acked(WS_WINDOW)
        elif typ == 'websocket.accept':
            if ws >= 2:
                raise RuntimeError('websocket.accept %s' % (
                    'twice' if ws == 2 else 'after websocket.close' if ws == 3 else 'after the handshake was denied'))
            if self.disconnected:
                raise ClientDisconnected('the client is gone')
            sub = message.get('subprotocol')
            if sub is None:
                sub = ''
            elif type(sub) is not str:
                raise TypeError('websocket.accept: "subprotocol" must be a str or None, not %r' % (sub,))
            headers = message.get('headers') or ()
            payload = sub.encode('latin-1')
            if b'\0' in payload:
                raise ValueError('websocket.accept: a NUL in the subprotocol')
            if headers:
                packed = pack_headers(200, headers, 'websocket.accept')
                if len(packed) > 3:
                    payload += packed[3:]  # \0name\0value...
            self.ws = 2
            self.lane.write_many((HEAD.pack(ACCEPT, 4 + len(payload), self.sid), payload,
                                  HEAD.pack(GRANT, 8, self.sid) + U32.pack(WS_GRANT)))
        elif typ == 'websocket.close':
            if ws >= 3:
                raise RuntimeError('websocket.close %s' % ('twice' if ws == 3 else 'after the handshake was denied'))
            if self.disconnected:
                return  # closing what is closed already is no error
            self.write_close(message.get('code', 1000), message.get('reason'))
            self.ws = 3 if ws == 2 else 4
            self.wake_receive()
        elif typ == 'websocket.http.response.body':
            await self.send_body(message, typ)
        elif typ == 'websocket.http.response.start':
            if ws >= 2:
                raise RuntimeError('websocket.http.response.start after %s' % (
                    'websocket.accept' if ws == 2 else 'websocket.close' if ws == 3 else 'the handshake was denied'))
            self.send_start(message, typ)
            self.ws = 4
        else:
            raise RuntimeError('unexpected ASGI message %r on a websocket scope (expected websocket.accept, '
                               'websocket.send, websocket.close or websocket.http.response.*)' % (typ,))

    def write_close(self, code, reason):
        if code is None:
            code = 1000
        if type(code) is not int or not 1000 <= code <= 4999:
            raise ValueError('websocket.close: code must be an int from 1000 to 4999, not %r' % (code,))
        if reason is None:
            reason = ''
        elif type(reason) is not str:
            raise TypeError('websocket.close: "reason" must be a str, not %s' % type(reason).__name__)
        data = reason.encode('utf-8')
        if len(data) > 123:
            raise ValueError('websocket.close: the reason is %d bytes long; a close frame holds 123' % len(data))
        self.lane.write_many((HEAD.pack(CLOSE, 6 + len(data), self.sid) + U16.pack(code), data))

    def returned(self):
        if self.disconnected:
            return
        ws = self.ws
        if ws < 2:
            raise RuntimeError('the ASGI app returned without websocket.accept or websocket.close')
        if ws == 2:
            self.write_close(1000, '')
            self.ws = 3
        elif ws == 4 and self.state != 0 and self.state != 3:
            raise RuntimeError('the ASGI app returned without completing its websocket.http.response '
                               '(the last websocket.http.response.body has more_body False)')

    def finished(self):
        return self.ws == 3 or (self.ws == 4 and self.state in (0, 3))

    def quit_cancelled(self):
        # Cancelled at the quit's deadline: a close frame, 1012 (service
        # restart), rather than a dropped connection.
        if self.ws == 2 and not self.disconnected:
            self.write_close(1012, 'server restarting')
            self.ws = 3
        else:
            Stream.quit_cancelled(self)


class Lane(asyncio.Protocol):
    """The lane: frames in, streams out, one write per loop turn."""

    def __init__(self, server):
        self.server = server
        self.loop = server.loop
        self.app = server.app
        self.streams = {}
        self.transport = None
        self.rest = bytearray()  # a frame's start, waiting for its end
        self.need = 0
        self.out = []
        self.scheduled = False
        self.closed = False
        self.state = server.lifespan.state
        self.cache = {}  # field bytes -> str, for the few that repeat (method, scheme, host)

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        self.closed = True
        self.server.stop(0)

    def eof_received(self):
        return False

    def write(self, data):
        self.out.append(data)
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.flush)

    def write_many(self, pieces):
        self.out.extend(pieces)
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon(self.flush)

    def flush(self):
        self.scheduled = False
        out = self.out
        if not out or self.closed:
            out.clear()
            return
        self.transport.write(b''.join(out) if len(out) > 1 else out[0])
        out.clear()

    def data_received(self, data):
        rest = self.rest
        if rest:
            rest += data
            if len(rest) < self.need:
                return
            data = bytes(rest)
            rest.clear()
        n = len(data)
        i = 0
        streams = self.streams
        while n - i >= 9:
            typ, length, sid = HEAD.unpack_from(data, i)
            end = i + 5 + length
            if end > n:
                break
            if length >= 4:
                try:
                    if typ == OPEN_HTTP or typ == OPEN_WS:
                        self.open(typ, sid, data[i + 9:end])
                    else:
                        stream = streams.get(sid)
                        if stream is not None:
                            if typ == MESSAGE:
                                stream.on_message(data[i + 9:end])
                            elif typ == ACK:
                                stream.on_ack(data[i + 9:end])
                            elif typ == BODY:
                                stream.on_body(data[i + 9:end])
                            elif typ == DISCONNECT:
                                stream.on_disconnect(data[i + 9:end])
                            elif typ == CANCEL:
                                stream.cancelled = True
                                stream.task.cancel()
                except Exception:
                    log('gowsgi: a %r frame for stream %d could not be handled:\n%s'
                        % (chr(typ), sid, traceback.format_exc()))
            i = end
        if i < n:
            rest += data[i:] if i else data
            self.need = 5 + CONTROL_HEAD.unpack_from(rest)[1] if len(rest) >= 5 else 5

    def field(self, b):
        s = self.cache.get(b)
        if s is None:
            s = b.decode('latin-1')
            if len(self.cache) < 256:
                self.cache[b] = s
        return s

    def refuse(self, sid, text):
        data = text_payload(text + '\n')
        self.write_many((HEAD.pack(FAIL, 4 + len(data), sid), data, end_frame(sid)))

    def open(self, typ, sid, payload):
        fields = payload.split(b'\0')
        if len(fields) < 11 or len(fields) % 2 == 0:
            self.refuse(sid, 'gowsgi worker: a malformed scope (%d fields): %r' % (len(fields), payload[:200]))
            return
        if self.server.quitting:
            self.refuse(sid, 'gowsgi worker: this worker is shutting down and takes no new requests')
            return
        field = self.field
        raw_path = fields[3]
        if b'%' in raw_path:
            path = unquote_to_bytes(raw_path).decode('utf-8', 'replace')
        else:
            path = raw_path.decode('utf-8', 'replace')
        root = fields[5]
        if root and not self.server.path_has_root and path.startswith(field(root)):
            path = path[len(root):] or '/'
        host = fields[6]
        client = (host.decode('latin-1'), int(fields[7])) if host else None
        port = fields[9]
        server = (field(fields[8]), int(port) if port else None)
        headers = list(zip(fields[11::2], fields[12::2]))
        if typ == OPEN_HTTP:
            scope = {
                'type': 'http', 'asgi': ASGI_HTTP.copy(), 'http_version': field(fields[2]),
                'method': field(fields[0]), 'scheme': field(fields[1]), 'path': path,
                'raw_path': raw_path, 'query_string': fields[4], 'root_path': field(fields[5]),
                'headers': headers, 'client': client, 'server': server, 'state': self.state.copy(),
                'extensions': {'http.response.pathsend': {}},
            }
            stream = HTTPStream(self, sid, scope, fields[10] == b'1')
        else:
            subprotocols = []
            for name, value in headers:
                if name == b'sec-websocket-protocol':
                    subprotocols += [p.strip() for p in value.decode('latin-1').split(',') if p.strip()]
            scope = {
                'type': 'websocket', 'asgi': ASGI_HTTP.copy(), 'http_version': field(fields[2]),
                'scheme': field(fields[1]), 'path': path, 'raw_path': raw_path,
                'query_string': fields[4], 'root_path': field(fields[5]), 'headers': headers,
                'client': client, 'server': server, 'subprotocols': subprotocols,
                'state': self.state.copy(), 'extensions': {'websocket.http.response': {}},
            }
            stream = WebSocketStream(self, sid, scope)
        self.streams[sid] = stream
        stream.task = self.loop.create_task(stream.run(self.app))


class Control(asyncio.Protocol):
    """The control socket: after the import, only the quit comes."""

    def __init__(self, server):
        self.server = server
        self.buf = bytearray()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        buf = self.buf
        buf += data
        while len(buf) >= 5:
            typ, n = CONTROL_HEAD.unpack_from(buf)
            if len(buf) < 5 + n:
                break
            payload = bytes(buf[5:5 + n])
            del buf[:5 + n]
            if typ == QUIT:
                grace = None
                text = payload.decode('ascii', 'replace').strip()
                if text:
                    try:
                        grace = max(float(text), 0.0)
                    except ValueError:
                        log('gowsgi: a quit with a grace of %r seconds: waiting without a limit' % text)
                self.server.stop(grace)

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        self.server.stop(0)  # gowsgi is gone: end at once


class Lifespan(object):
    """The lifespan scope (specs/lifespan.rst), as uvicorn runs it; mode is
    "auto", "on" or "off"."""

    def __init__(self, server, mode):
        self.server = server
        self.mode = mode
        self.state = {}
        self.inbox = asyncio.Queue()
        self.received = False  # the app has called receive()
        self.phase = None      # the future of the answer now awaited (startup, then shutdown)
        self.active = False    # startup completed: run the shutdown
        self.startup = True    # the phase: startup, then shutdown
        self.task = None

    async def receive(self):
        self.received = True
        return await self.inbox.get()

    async def send(self, message):
        typ = message_type(message)
        phase = self.phase
        if typ in ('lifespan.startup.complete', 'lifespan.startup.failed'):
            if not self.startup or phase is None or phase.done():
                raise RuntimeError('%s out of turn' % typ)
        elif typ in ('lifespan.shutdown.complete', 'lifespan.shutdown.failed'):
            if self.startup or phase is None or phase.done():
                raise RuntimeError('%s out of turn' % typ)
        else:
            raise RuntimeError('unexpected ASGI message %r on the lifespan scope' % (typ,))
        phase.set_result((typ.rpartition('.')[2], message.get('message') or ''))

    async def run(self):
        scope = {'type': 'lifespan', 'asgi': ASGI_LIFESPAN.copy(), 'state': self.state}
        try:
            coro = self.server.app(scope, self.receive, self.send)
            if type(coro) is not CoroutineType and not hasattr(coro, '__await__'):
                raise NotAwaitable('the app returned %r, not an awaitable: an ASGI app is '
                                   '"async def app(scope, receive, send)"' % (coro,))
            await coro
        except asyncio.CancelledError:
            if self.phase is not None and not self.phase.done():
                self.phase.set_result(('returned', ''))
        except BaseException as e:
            tb = W.app_traceback()
            if self.phase is not None and not self.phase.done():
                self.phase.set_result(('error', (e, tb)))
            else:
                log('Exception in the ASGI app\'s lifespan task:\n' + tb)
        else:
            if self.phase is not None and not self.phase.done():
                self.phase.set_result(('returned', ''))

    async def run_startup(self, notes):
        """Runs the startup; returns the failure's text, or None."""
        if self.mode == 'off':
            return None
        self.startup = True
        self.phase = self.server.loop.create_future()
        self.task = self.server.loop.create_task(self.run())
        self.inbox.put_nowait({'type': 'lifespan.startup'})
        kind, detail = await self.phase
        if kind == 'complete':
            self.active = True
            return None
        if kind == 'failed':
            return 'The app\'s lifespan startup failed (lifespan.startup.failed)%s' % (
                ':\n' + detail if detail else '')
        if kind == 'error':
            e, tb = detail
            if self.mode == 'auto' and not self.received and not isinstance(e, NotAwaitable):
                summary = (traceback.format_exception_only(type(e), e) or [type(e).__name__])[-1].strip()
                log('gowsgi: the app raised on the lifespan scope before it received lifespan.startup, '
                    'so it runs without lifespan events:\n' + tb)
                notes.append('lifespan: not supported by the app, which raised %s '
                             '(--lifespan on makes this an error, --lifespan off skips it)' % summary)
                return None
            return 'The app\'s lifespan startup failed:\n' + tb
        # It returned without answering.
        if self.mode == 'on':
            return ('The app\'s lifespan startup failed: the app returned from the lifespan scope without '
                    'sending lifespan.startup.complete (--lifespan on)\n')
        return None

    async def run_shutdown(self):
        if not self.active or self.task.done():
            return
        self.startup = False
        self.phase = self.server.loop.create_future()
        self.inbox.put_nowait({'type': 'lifespan.shutdown'})
        kind, detail = await self.phase
        if kind == 'failed':
            log('gowsgi: the app\'s lifespan shutdown failed (lifespan.shutdown.failed)%s' % (
                ':\n' + detail if detail else ''))
        elif kind == 'error':
            log('gowsgi: the app\'s lifespan shutdown raised:\n' + detail[1])
        if not self.task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self.task), 1.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self.task.cancel()


def path_has_root():
    """Whether scope["path"] includes root_path, as the ASGI spec says. Not
    for Starlette before 0.33 (Debian 12 has 0.26): it routes on the whole
    path and puts root_path in front of it by itself, as servers left the
    mount out of path then; so a FastAPI app mounted at /api would answer
    404 to everything. Newer Starlette takes either."""
    starlette = sys.modules.get('starlette')
    if starlette is None:
        return True
    try:
        version = tuple(int(part) for part in starlette.__version__.split('.')[:2])
    except (AttributeError, ValueError):
        return True
    return version >= (0, 33)


class Server(object):
    def __init__(self, worker, cfg, loop):
        self.worker = worker
        self.cfg = cfg
        self.loop = loop
        self.app = worker.app
        self.path_has_root = path_has_root()
        self.quitting = False
        self.quit = loop.create_future()
        mode = cfg.get('lifespan') or 'auto'
        if mode not in ('auto', 'on', 'off'):
            log('gowsgi: unknown lifespan mode %r: auto' % mode)
            mode = 'auto'
        self.lifespan = Lifespan(self, mode)
        self.lane = None
        self.control = None

    def stop(self, grace):
        if not self.quit.done():
            self.quit.set_result(grace)

    async def main(self):
        loop = self.loop
        worker = self.worker
        control_sock = worker.control.sock
        control_sock.setblocking(False)
        _, self.control = await loop.create_unix_connection(lambda: Control(self), sock=control_sock)
        if worker.control.buf:  # read before the hand-over
            self.control.data_received(bytes(worker.control.buf))
            worker.control.buf.clear()
        notes = list(worker.notes)
        failure = await self.lifespan.run_startup(notes)
        if failure is not None:
            text = failure.encode('utf-8', 'replace')
            self.control.transport.write(CONTROL_HEAD.pack(W.FAILED, len(text)) + text)
            await self.drain(self.control.transport)
            return 1
        import socket
        lane_sock = socket.socket(fileno=4)
        lane_sock.setblocking(False)
        _, self.lane = await loop.create_unix_connection(lambda: Lane(self), sock=lane_sock)
        self.control.transport.write(worker.ready_frame(self.cfg, notes))
        grace = await self.quit
        self.quitting = True
        await self.drain_streams(grace)
        await self.lifespan.run_shutdown()
        self.lane.flush()
        await self.drain(self.lane.transport)
        return 0

    async def drain_streams(self, grace):
        streams = self.lane.streams
        tasks = [s.task for s in streams.values()]
        if not tasks:
            return
        if grace is None or grace > 0:
            _, pending = await asyncio.wait(tasks, timeout=grace)
        else:
            pending = tasks
        if not pending:
            return
        for stream in list(streams.values()):
            if stream.task in pending:
                stream.quitting = True
                stream.task.cancel()
        _, left = await asyncio.wait(pending, timeout=MAX_CANCEL_WAIT)
        if left:
            log('gowsgi: %d ASGI task(s) did not end when cancelled at the quit' % len(left))

    async def drain(self, transport):
        """Waits (a little) until what was written has gone out."""
        for _ in range(200):
            if transport.is_closing() or not transport.get_write_buffer_size():
                return
            await asyncio.sleep(0.01)


def new_loop():
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def serve(worker, cfg):
    """Serves the imported app (worker.app) until the quit; the exit status."""
    loop = new_loop()
    asyncio.set_event_loop(loop)
    server = Server(worker, cfg, loop)
    try:
        return loop.run_until_complete(server.main())
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
