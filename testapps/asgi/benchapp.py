"""FastAPI hello for bench/asgi.sh: no lifespan state (uvicorn 0.17 has none
to give), just the route a hello-world benchmark asks for."""
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello():
    return {"hello": "world"}
