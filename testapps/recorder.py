"""An app that records every request it gets, once it has read the body:
the malformed-request corpus (e2e/malformed_test.go) checks that none of
its requests reaches an app as a valid request."""


def application(environ, start_response):
    body = environ['wsgi.input'].read()
    environ['wsgi.errors'].write('recorded %s %s %d\n' % (
        environ['REQUEST_METHOD'], environ.get('PATH_INFO', ''), len(body)))
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', '9')])
    return [b'recorded\n']
