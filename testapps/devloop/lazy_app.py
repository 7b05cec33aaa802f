# A WSGI app that imports its view module only when a request needs it, as
# Django does with views.py: a syntax error there does not stop the import.
def application(environ, start_response):
    import lazy_view
    body = lazy_view.render().encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
