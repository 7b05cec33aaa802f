"""A small routed JSON API in plain WSGI: a decorator route table, exception
classes, json, urllib.parse, a helper module and POST bodies. It runs
unchanged on both engines."""
