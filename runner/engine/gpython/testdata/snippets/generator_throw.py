# snippet: functions | generator.throw(): caught inside, or propagated out
def worker():
    while True:
        try:
            x = yield
            print('got', x)
        except ValueError as e:
            print('handled', e)
            yield 'recovered'
g = worker()
next(g)
g.send(1)
print(g.throw(ValueError('bad')))
next(g)
try:
    g.throw(KeyError, 'k')
except KeyError as e:
    print('propagated', repr(e))
