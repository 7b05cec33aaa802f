# snippet: functions | three-level decorator factory (cell and free variables together)
ROUTES = {}
def route(path, method='GET'):
    def deco(fn):
        def wrapper(*args):
            return method + ' ' + fn(*args)
        ROUTES[method + ' ' + path] = wrapper
        return wrapper
    return deco
@route('/a')
def a():
    return 'A'
@route('/b', 'POST')
def b():
    return 'B'
print(sorted(ROUTES), ROUTES['GET /a'](), ROUTES['POST /b']())
