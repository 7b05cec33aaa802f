"""A FastAPI app (Debian's FastAPI 0.92 / Starlette 0.26) exercising what
gowsgi's ASGI support must carry: JSON routes, a POST body, streaming, a
background task, a file, lifespan state, WebSockets."""
import asyncio
import contextlib
import hashlib
import os
import signal
from typing import Optional

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

from events import record

HERE = os.path.dirname(os.path.abspath(__file__))

app = FastAPI()


@contextlib.asynccontextmanager
async def lifespan(app):
    record(f"startup pid={os.getpid()}")
    yield {"greeting": "hello from lifespan"}
    record(f"shutdown pid={os.getpid()}")


# FastAPI 0.92 has no lifespan= argument; Starlette 0.26's router does.
app.router.lifespan_context = lifespan


@app.get("/")
async def hello():
    return {"hello": "world"}


@app.get("/items/{item_id}")
async def get_item(item_id: int, q: Optional[str] = None, n: int = 1):
    return {"item_id": item_id, "q": q, "n": n}


class Item(BaseModel):
    name: str
    price: float
    qty: int = 1


@app.post("/items")
async def create_item(item: Item):
    return {"stored": item.name, "total": item.price * item.qty}


@app.post("/upload")
async def upload(request: Request):
    body = await request.body()
    return {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


@app.get("/state")
async def state(request: Request):
    return {"greeting": getattr(request.state, "greeting", None)}


@app.get("/pid")
async def pid():
    return PlainTextResponse(str(os.getpid()))


@app.get("/stream")
async def stream(n: int = 5):
    async def chunks():
        for i in range(n):
            yield f"chunk {i}\n"
            await asyncio.sleep(0.01)
    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/slowstream")
async def slowstream():
    """Streams for up to a minute; a client that leaves must be noticed."""
    async def chunks():
        sent = 0
        try:
            for i in range(1200):
                yield f"tick {i}\n"
                sent += 1
                await asyncio.sleep(0.05)
            record("slowstream completed")
        finally:
            if sent < 1200:
                record(f"slowstream stopped after {sent} chunks")
    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/sleep")
async def sleep(s: float = 1.0):
    try:
        await asyncio.sleep(s)
    except asyncio.CancelledError:
        record(f"sleep {s} cancelled")
        raise
    return PlainTextResponse("slept")


@app.get("/background")
async def background(tag: str = "x"):
    async def later():
        await asyncio.sleep(0.05)
        record(f"background task {tag} done")
    return PlainTextResponse("queued", background=BackgroundTask(later))


@app.get("/file")
async def file():
    return FileResponse(os.path.join(HERE, "files", "hello.txt"), media_type="text/plain")


@app.get("/error")
async def error():
    raise ValueError("boom in fastapi")


@app.get("/kill")
async def kill():
    os.kill(os.getpid(), signal.SIGKILL)


@app.websocket("/ws/echo")
async def ws_echo(websocket: WebSocket):
    """Echoes text as text and bytes as bytes; picks echo.v2 over echo.v1."""
    offered = websocket.scope.get("subprotocols", [])
    chosen = next((p for p in ("echo.v2", "echo.v1") if p in offered), None)
    await websocket.accept(subprotocol=chosen)
    try:
        while True:
            msg = await websocket.receive()
            if msg["type"] == "websocket.disconnect":
                record(f"echo saw close {msg.get('code')}")
                return
            if msg.get("text") is not None:
                await websocket.send_text(msg["text"])
            else:
                await websocket.send_bytes(msg["bytes"])
    except WebSocketDisconnect as e:
        record(f"echo saw close {e.code}")


@app.websocket("/ws/deny")
async def ws_deny(websocket: WebSocket):
    await websocket.close(code=1008)


@app.websocket("/ws/close")
async def ws_close(websocket: WebSocket, code: int = 4001, reason: str = "bye now"):
    await websocket.accept()
    await websocket.send_text("closing")
    await websocket.close(code=code, reason=reason)


@app.websocket("/ws/record")
async def ws_record(websocket: WebSocket):
    """Records the close code and reason the client sent."""
    await websocket.accept()
    while True:
        msg = await websocket.receive()
        if msg["type"] == "websocket.disconnect":
            record(f"client closed code={msg.get('code')} reason={msg.get('reason', '')}")
            return


@app.websocket("/ws/state")
async def ws_state(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_json({"greeting": websocket.scope.get("state", {}).get("greeting")})
    await websocket.close()
