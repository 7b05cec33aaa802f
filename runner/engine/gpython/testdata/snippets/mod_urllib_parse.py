# snippet: modules | urllib.parse quote/unquote/urlencode/parse_qs/urlparse
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlencode, parse_qs, parse_qsl, urlparse, urlsplit, urlunparse
print(quote('a b/ü?'), quote_plus('a b&c'), unquote('a%20b%C3%BC'), unquote_plus('a+b%2B'))
print(urlencode([('q', 'a b'), ('x', 1)]), urlencode({'k': ['1', '2']}, doseq=True))
print(parse_qs('a=1&a=2&b=&c=x+y'), parse_qsl('a=1&b=', keep_blank_values=True))
u = urlparse('https://user:pw@example.com:8080/p/a;par?q=1#frag')
print(u.scheme, u.netloc, u.path, u.params, u.query, u.fragment, u.hostname, u.port, u.username, u.geturl())
print(urlsplit('/just/path?x=1'), urlunparse(('http', 'h', '/p', '', 'q=1', '')))
