# snippet: modules | importing wsgiref.util
from wsgiref.util import request_uri
print(request_uri({'wsgi.url_scheme': 'http', 'HTTP_HOST': 'h', 'PATH_INFO': '/p', 'SCRIPT_NAME': '', 'QUERY_STRING': ''}))
