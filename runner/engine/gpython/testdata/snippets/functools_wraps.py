# snippet: functions | functools.wraps, partial, reduce
import functools
def deco(fn):
    @functools.wraps(fn)
    def w(*a):
        return fn(*a)
    return w
@deco
def named(x):
    'doc'
    return x
p = functools.partial(int, base=2)
print(named.__name__, named.__doc__, named(3), p('101'), functools.reduce(lambda a, b: a * b, [1, 2, 3, 4]))
