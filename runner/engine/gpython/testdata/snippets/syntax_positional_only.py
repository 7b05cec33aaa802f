# snippet: syntax | positional-only parameters (/, Python 3.8)
def f(a, b, /, c, *, d=4):
    return (a, b, c, d)
print(f(1, 2, 3), f(1, 2, c=3, d=5))
def g(x, /):
    return x * 2
print(g(21))
class C:
    def m(self, v, /, w=1):
        return v + w
print(C().m(1), C().m(1, w=5))
