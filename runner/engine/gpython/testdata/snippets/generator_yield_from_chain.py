# snippet: functions | return values through chains of yield from
def leaf(n):
    yield n
    return n * 10
def middle():
    a = yield from leaf(1)
    b = yield from leaf(2)
    return a + b
def top():
    total = yield from middle()
    yield 'total %d' % total
print(list(top()))
def nothing():
    return
    yield
def wrap():
    r = yield from nothing()
    yield r
print(list(wrap()))
