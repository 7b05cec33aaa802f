"""An app whose import fails: gowsgi must show this traceback and exit 1."""


def helper():
    return undefined_name_at_import  # noqa: F821


value = helper()


def application(environ, start_response):
    start_response('200 OK', [])
    return [b'unreachable']
