"""Apps whose lifespan goes wrong in each way a server must handle."""
import contextlib

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from events import record


async def _hello(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"served anyway\n"})


async def failing(scope, receive, send):
    """Says its startup failed, with a message."""
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.failed",
                    "message": "cannot reach the database at db.invalid:5432"})
        return
    await _hello(scope, receive, send)


async def raising(scope, receive, send):
    """Knows nothing of lifespan: raises on the scope before receive()."""
    if scope["type"] != "http":
        raise RuntimeError(f"raising only speaks http, not {scope['type']}")
    await _hello(scope, receive, send)


@contextlib.asynccontextmanager
async def _broken_lifespan(app):
    record("starlette startup begins")
    raise ConnectionError("redis at cache.invalid:6379 refused the connection")
    yield


async def _home(request):
    return PlainTextResponse("never served\n")


# A Starlette app whose startup raises: Starlette reports it as
# lifespan.startup.failed with the traceback as the message.
starlette_broken = Starlette(routes=[Route("/", _home)], lifespan=_broken_lifespan)


async def slow_shutdown(scope, receive, send):
    """A shutdown that takes a while (closing a pool), and a long poll that
    never looks at the client: stopping must cancel the one and wait for the
    other."""
    import asyncio
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                record("slow startup")
                await send({"type": "lifespan.startup.complete"})
            else:
                record("slow shutdown begins")
                await asyncio.sleep(1.5)
                record("slow shutdown done")
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["path"] == "/longpoll":
        record("longpoll started")
        try:
            await asyncio.sleep(100)
        except asyncio.CancelledError:
            record("longpoll cancelled")
            raise
    await _hello(scope, receive, send)


def plain(scope, receive, send):
    """Not an ASGI app: a plain def, which returns None."""
    return None
