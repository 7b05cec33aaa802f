# snippet: wsgi | a middleware class wrapping an app
def app(environ, start_response):
    start_response('200 OK', [('X-App', '1')])
    return [b'app']
class AddHeader(object):
    def __init__(self, app, name, value):
        self.app, self.name, self.value = app, name, value
    def __call__(self, environ, start_response):
        def sr(status, headers, exc_info=None):
            return start_response(status, headers + [(self.name, self.value)], exc_info)
        return self.app(environ, sr)
got = []
def start_response(status, headers, exc_info=None):
    got.append((status, headers))
print(AddHeader(app, 'X-Mw', 'yes')({}, start_response), got)
