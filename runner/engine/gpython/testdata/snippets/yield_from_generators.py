# snippet: functions | yield from another generator, send() through it, errors from it
def inner():
    x = yield 'first'
    yield 'got %s' % x
def outer():
    yield from inner()
    yield 'after'
g = outer()
print(next(g), g.send('v'), next(g))
def bad():
    yield 1
    raise KeyError('k')
def wrap():
    yield from bad()
try:
    print(list(wrap()))
except KeyError as e:
    print('KeyError', e)
