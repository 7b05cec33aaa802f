# snippet: functions | loops with else/break/continue inside try/finally, comprehensions over enclosing variables
def scan(items, stop):
    out = []
    for x in items:
        try:
            if x == stop:
                break
            if x % 2:
                continue
            out.append(x)
        finally:
            out.append('f')
    else:
        out.append('no break')
    return out
print(scan(range(5), 3), scan(range(3), 9))
class Scaler(object):
    factor = 3
    def __init__(self, k):
        self.k = k
    def apply(self, xs):
        k = self.k
        return [x * k * self.factor for x in xs if x != k], {str(x): (lambda y: y + k)(x) for x in xs}
print(Scaler(2).apply([1, 2, 3]))
n = 0
while n < 3:
    n += 1
else:
    print('while else', n)
def outer(a):
    b = a + 1
    def mid(c):
        d = c + b
        def inner():
            return a + b + c + d
        return inner
    return mid
print(outer(1)(10)())
