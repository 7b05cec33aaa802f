# snippet: wsgi | a WSGI response generator closed after partial reading runs its finally
log = []
def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    def body():
        log.append('opened')
        try:
            for i in range(10):
                yield b'chunk %d\n' % i
        finally:
            log.append('closed')
    return body()
def server(app):
    status = []
    result = app({'REQUEST_METHOD': 'GET'}, lambda s, h: status.append(s))
    try:
        for chunk in result:
            if b'2' in chunk:
                break
    finally:
        if hasattr(result, 'close'):
            result.close()
    return status[0]
print(server(app), log)
