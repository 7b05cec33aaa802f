# snippet: functions | keyword arguments keep call order: **kwargs, dict(), update(), forwarding
import json
def f(*args, **kwargs):
    return args, kwargs
print(f(1, zeta=1, alpha=2, mid=3))
print(dict(b=1, a=2), json.dumps(dict(zeta=1, alpha=2)))
d = {'x': 0}
d.update(zz=1, aa=2)
print(d)
def forward(*args, **kwargs):
    return f(*args, **kwargs)
print(forward(3, k=1, c=2), f(**{'y': 1, 'b': 2}))
class Options:
    def __init__(self, **opts):
        self.opts = opts
print(Options(verbose=True, color='red', a=1).opts)
def g(a, b=2):
    return a, b
print(g(b=5, a=1))
try:
    g(1, a=2)
except TypeError as e:
    print('TypeError', e)
