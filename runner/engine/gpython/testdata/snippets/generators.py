# snippet: functions | generators, genexpr, yield from, send, next(it, default)
def g():
    x = yield 1
    yield x * 2
    yield from [7, 8]
it = g()
print(next(it), it.send(5), list(it), next(iter([]), 'end'), sum(i for i in range(5)))
