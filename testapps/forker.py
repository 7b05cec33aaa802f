"""An app that starts processes of its own, as apps that spawn helpers do:
one `sleep` at import, and one more for each request to /spawn. None of
them may outlive the worker that started it, nor gowsgi.

    /          "WORKER_PID CHILD_PID": the worker and the child it started at import
    /spawn     starts another sleep; answers its PID
    /slow?s=N  prints a line to the log, sleeps N seconds, answers "slept"
    /osenv?name=NAME  the worker's os.environ[NAME], or "-" when unset
"""
import os
import subprocess
import time

child = subprocess.Popen(['sleep', '3600'])


def query(environ):
    out = {}
    for part in environ.get('QUERY_STRING', '').split('&'):
        if '=' in part:
            k, v = part.split('=', 1)
            out[k] = v
    return out


def text(start_response, body):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body.encode('utf-8')]


def application(environ, start_response):
    path = environ.get('PATH_INFO', '/')
    q = query(environ)
    if path == '/spawn':
        p = subprocess.Popen(['sleep', '3600'])
        return text(start_response, '%d\n' % p.pid)
    if path == '/slow':
        print('slow request started', flush=True)
        time.sleep(float(q.get('s', '1')))
        return text(start_response, 'slept\n')
    if path == '/osenv':
        return text(start_response, os.environ.get(q.get('name', ''), '-') + '\n')
    return text(start_response, '%d %d\n' % (os.getpid(), child.pid))
