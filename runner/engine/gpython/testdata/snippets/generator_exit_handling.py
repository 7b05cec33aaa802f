# snippet: functions | catching GeneratorExit, and close() on unstarted and finished generators
def polite():
    try:
        yield 1
    except GeneratorExit:
        print('cleaning up')
        raise
def stubborn():
    try:
        yield 1
    except GeneratorExit:
        yield 2
g = polite()
next(g)
g.close()
h = polite()
h.close()
print(list(h))
s = stubborn()
next(s)
try:
    s.close()
except RuntimeError as e:
    print('RuntimeError', e)
