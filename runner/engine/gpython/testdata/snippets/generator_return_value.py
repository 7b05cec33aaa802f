# snippet: functions | a generator's return value (r = yield from gen())
# status: works
def inner():
    yield 1
    return 'inner done'
def outer():
    r = yield from inner()
    yield r
print(list(outer()))
