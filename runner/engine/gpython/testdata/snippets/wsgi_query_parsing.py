# snippet: wsgi | query parsing by hand and with parse_qs
from urllib.parse import parse_qs
environ = {'QUERY_STRING': 'name=G%C3%BCnter&tags=a&tags=b&empty='}
q = parse_qs(environ.get('QUERY_STRING', ''))
print(q.get('name', [''])[0], q['tags'], 'empty' in q)
out = {}
for part in environ['QUERY_STRING'].split('&'):
    if '=' in part:
        k, v = part.split('=', 1)
        out[k] = v
print(sorted(out.items()))
