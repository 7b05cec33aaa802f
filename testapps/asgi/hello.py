"""The smallest ASGI apps: ASGI 3 (hello.app), and ASGI 2 in its two forms,
a class (hello.Asgi2) and a function returning a coroutine function
(hello.asgi2). Each says hello over HTTP and echoes over a WebSocket."""


async def _serve(version, scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "http":
        body = b"Hello, world!\n" if version == 3 else b"Hello from ASGI 2!\n"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            msg = await receive()
            if msg["type"] == "websocket.disconnect":
                return
            if msg.get("text") is not None:
                await send({"type": "websocket.send", "text": msg["text"]})
            else:
                await send({"type": "websocket.send", "bytes": msg["bytes"]})


async def app(scope, receive, send):
    await _serve(3, scope, receive, send)


class Asgi2:
    def __init__(self, scope):
        self.scope = scope

    async def __call__(self, receive, send):
        await _serve(2, self.scope, receive, send)


def asgi2(scope):
    async def instance(receive, send):
        await _serve(2, scope, receive, send)
    return instance
