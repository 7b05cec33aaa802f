# Answers with its SCRIPT_NAME and PATH_INFO, for the mount table tests.
import json


def application(environ, start_response):
    body = json.dumps({'script_name': environ['SCRIPT_NAME'], 'path_info': environ['PATH_INFO'],
                       'query': environ['QUERY_STRING']}).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
