"""Plain ASGI 3 apps, no framework: hello (HTTP and a WebSocket echo), the
scope as JSON, http.response.pathsend, the WebSocket denial page, errors
before and after the response starts, and a worker that kills itself."""
import asyncio
import json
import os
import signal

from events import record

HERE = os.path.dirname(os.path.abspath(__file__))


async def lifespan(scope, receive, send):
    while True:
        msg = await receive()
        if msg["type"] == "lifespan.startup":
            if "state" in scope:
                scope["state"]["greeting"] = "hi from rawapp"
            record(f"rawapp startup pid={os.getpid()}")
            await send({"type": "lifespan.startup.complete"})
        elif msg["type"] == "lifespan.shutdown":
            record(f"rawapp shutdown pid={os.getpid()}")
            await send({"type": "lifespan.shutdown.complete"})
            return


def latin1(b):
    return b.decode("latin-1") if isinstance(b, (bytes, bytearray)) else b


def describe(scope):
    """The scope as JSON-able values: bytes as latin-1 strings, with their types."""
    return {
        "type": scope["type"],
        "asgi": scope.get("asgi"),
        "http_version": scope.get("http_version"),
        "method": scope.get("method"),
        "scheme": scope.get("scheme"),
        "path": scope.get("path"),
        "path_type": type(scope.get("path")).__name__,
        "raw_path": latin1(scope.get("raw_path")),
        "raw_path_type": type(scope.get("raw_path")).__name__,
        "query_string": latin1(scope.get("query_string")),
        "query_string_type": type(scope.get("query_string")).__name__,
        "root_path": scope.get("root_path"),
        "headers": [[latin1(n), latin1(v)] for n, v in scope.get("headers", [])],
        "header_types": sorted({type(n).__name__ + "," + type(v).__name__ for n, v in scope.get("headers", [])}),
        "client": list(scope["client"]) if scope.get("client") else None,
        "server": list(scope["server"]) if scope.get("server") else None,
        "state": dict(scope.get("state") or {}),
        "extensions": sorted((scope.get("extensions") or {}).keys()),
        "subprotocols": scope.get("subprotocols"),
    }


async def respond(send, status, body, content_type=b"text/plain"):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def http(scope, receive, send):
    path = scope["path"][len(scope.get("root_path", "")):] or "/"
    if path == "/":
        await respond(send, 200, b"Hello, world!\n")
    elif path.startswith("/scope"):
        await respond(send, 200, json.dumps(describe(scope)).encode(), b"application/json")
    elif path == "/pid":
        await respond(send, 200, str(os.getpid()).encode())
    elif path == "/file":
        name = os.path.join(HERE, "files", "hello.txt")
        if "http.response.pathsend" in (scope.get("extensions") or {}):
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain"), (b"x-sent-by", b"pathsend")]})
            await send({"type": "http.response.pathsend", "path": name})
        else:
            with open(name, "rb") as f:
                await respond(send, 200, f.read())
    elif path == "/echo":
        body = b""
        while True:
            msg = await receive()
            body += msg.get("body", b"")
            if not msg.get("more_body"):
                break
        await respond(send, 200, body)
    elif path == "/sleep":
        s = float(latin1(scope["query_string"]).partition("s=")[2] or 1)
        try:
            await asyncio.sleep(s)
        except asyncio.CancelledError:
            record(f"rawapp sleep {s} cancelled")
            raise
        await respond(send, 200, b"slept\n")
    elif path == "/error-before":
        raise ValueError("boom before the response started")
    elif path == "/error-after":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"partial ", "more_body": True})
        raise ValueError("boom after the response started")
    elif path == "/kill":
        os.kill(os.getpid(), signal.SIGKILL)
    else:
        await respond(send, 404, b"no route\n")


async def websocket(scope, receive, send):
    path = scope["path"][len(scope.get("root_path", "")):] or "/"
    msg = await receive()
    assert msg["type"] == "websocket.connect", msg
    if path == "/deny-page":
        # The websocket.http.response extension: the app's own refusal page.
        await send({"type": "websocket.http.response.start", "status": 401,
                    "headers": [(b"content-type", b"text/plain"), (b"x-denied-by", b"rawapp")]})
        await send({"type": "websocket.http.response.body", "body": b"no entry without a token\n"})
        return
    if path == "/deny":
        await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "websocket.accept"})
    if path.startswith("/scope"):
        await send({"type": "websocket.send", "text": json.dumps(describe(scope))})
        await send({"type": "websocket.close", "code": 1000})
        return
    if path == "/kill":
        os.kill(os.getpid(), signal.SIGKILL)
    # Anything else: echo until the client goes.
    while True:
        msg = await receive()
        if msg["type"] == "websocket.disconnect":
            record(f"rawapp echo saw close {msg.get('code')}")
            return
        if msg.get("text") is not None:
            await send({"type": "websocket.send", "text": msg["text"]})
        else:
            await send({"type": "websocket.send", "bytes": msg["bytes"]})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await lifespan(scope, receive, send)
    elif scope["type"] == "http":
        await http(scope, receive, send)
    elif scope["type"] == "websocket":
        await websocket(scope, receive, send)
