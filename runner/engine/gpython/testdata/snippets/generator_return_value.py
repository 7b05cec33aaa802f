# snippet: functions | a generator's return value (r = yield from gen())
# status: differs
# note: gpython drops a generator's return value: `r = yield from gen()` gives the generator object, not the value it returned
def inner():
    yield 1
    return 'inner done'
def outer():
    r = yield from inner()
    yield r
print(list(outer()))
