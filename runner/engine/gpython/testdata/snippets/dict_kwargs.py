# snippet: containers | **kwargs is a dict: methods, isinstance, passing it on
def f(*args, **kwargs):
    return kwargs
k = f(1, b=2)
print(k, isinstance(k, dict), type(k).__name__, k.get('b'), sorted(k.items()))
def g(a, **rest):
    rest.setdefault('z', 0)
    return a, rest
print(g(**{'a': 1, 'q': 2}))
def h(x, y=0):
    return x + y
opts = {'y': 5}
print(h(1, **opts), h(**{'x': 2}))
