# snippet: containers | setdefault, pop with default, popitem order, get
d = {'x': 1}
print(d.setdefault('x', 5), d.setdefault('y', []), d)
d.setdefault('y', []).append(1)
print(d, d.pop('x'), d.pop('nope', 'default'))
d.update(a=1, b=2)
print(d.popitem(), d.popitem(), d)
try:
    d.pop('missing')
except KeyError as e:
    print('KeyError', e)
try:
    {}.popitem()
except KeyError as e:
    print('KeyError', e)
