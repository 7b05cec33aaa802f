"""A WSGI app, for a mount beside the ASGI ones (and to be refused by --asgi)."""


def application(environ, start_response):
    body = ("legacy WSGI at SCRIPT_NAME=%r PATH_INFO=%r\n" % (environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"))).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
