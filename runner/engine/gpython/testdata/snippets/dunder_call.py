# snippet: classes | calling an instance (__call__), e.g. WSGI middleware
class Middleware(object):
    def __init__(self, app):
        self.app = app
    def __call__(self, x):
        return 'mw(' + self.app(x) + ')'
class Inner(object):
    def __call__(self, x):
        return 'inner ' + x
m = Middleware(Inner())
print(m('req'), callable(m))
