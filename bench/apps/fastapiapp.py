"""FastAPI hello, for the ASGI rows of the benchmark harness."""
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get('/', response_class=PlainTextResponse)
def hello():
    return 'Hello, world!\n'
