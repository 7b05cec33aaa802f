# snippet: functions | closures, nonlocal, lambda, defaults, *args/**kwargs, keyword-only
def counter():
    n = 0
    def inc():
        nonlocal n
        n += 1
        return n
    return inc
c = counter(); c(); print(c())
def f(a, b=2, *args, key=None, **kw):
    return (a, b, args, key, sorted(kw.items()))
print(f(1), f(1, 3, 4, 5, key='k', z=9), (lambda x, y=1: x + y)(2))
