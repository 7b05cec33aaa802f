# snippet: syntax | async def / await
# status: fails
# note: by design: async def / await need an event loop and ASGI; the gpython engine runs synchronous WSGI apps, and refuses them at import with a SyntaxError that says so
async def f():
    return 1
print('defined')
