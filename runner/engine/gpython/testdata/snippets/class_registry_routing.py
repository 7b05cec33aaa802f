# snippet: wsgi | a class-based router with a method registry and regex routes
import re
class Router(object):
    def __init__(self):
        self.routes = []
    def route(self, pattern):
        def deco(fn):
            self.routes.append((re.compile('^' + pattern + '$'), fn))
            return fn
        return deco
    def dispatch(self, path):
        for rx, fn in self.routes:
            m = rx.match(path)
            if m:
                return fn(**m.groupdict())
        return '404'
app = Router()
@app.route('/users/(?P<uid>\\d+)')
def user(uid):
    return 'user %s' % uid
@app.route('/')
def index():
    return 'index'
print(app.dispatch('/users/42'), app.dispatch('/'), app.dispatch('/nope'))
