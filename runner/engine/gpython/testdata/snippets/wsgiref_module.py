# snippet: modules | wsgiref.util request_uri, application_uri, shift_path_info
from wsgiref.util import request_uri, application_uri, shift_path_info
env = {'wsgi.url_scheme': 'http', 'HTTP_HOST': 'h:8080', 'PATH_INFO': '/a/b c', 'SCRIPT_NAME': '', 'QUERY_STRING': 'x=1'}
print(request_uri(env), application_uri(env), request_uri(env, False))
print(shift_path_info(env), env['SCRIPT_NAME'], env['PATH_INFO'])
