# snippet: containers | a route table keyed by (method, path) tuples
routes = {('GET', '/'): 'index', ('POST', '/items'): 'add', ('GET', '/items'): 'list'}
print(routes[('GET', '/')], routes.get(('PUT', '/'), 'none'))
print(('POST', '/items') in routes, ('GET', '/nope') in routes)
for (method, path), name in routes.items():
    print(method, path, name)
print(sorted(routes))
print(routes)
