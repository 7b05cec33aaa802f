# snippet: classes | arithmetic dunders: -, *, /, //, %, **, unary, bitwise
class N:
    def __init__(self, v): self.v = v
    def __sub__(self, o): return N(self.v - o.v)
    def __mul__(self, o): return N(self.v * o)
    def __truediv__(self, o): return N(self.v / o)
    def __floordiv__(self, o): return N(self.v // o)
    def __mod__(self, o): return N(self.v % o)
    def __pow__(self, o): return N(self.v ** o)
    def __neg__(self): return N(-self.v)
    def __pos__(self): return N(+self.v)
    def __invert__(self): return N(~self.v)
    def __and__(self, o): return N(self.v & o)
    def __or__(self, o): return N(self.v | o)
    def __xor__(self, o): return N(self.v ^ o)
    def __lshift__(self, o): return N(self.v << o)
    def __rshift__(self, o): return N(self.v >> o)
    def __repr__(self): return 'N(%r)' % self.v
a = N(12)
print(a - N(2), a * 2, a / 5, a // 5, a % 5, a ** 2, -a, +a, ~a)
print(a & 4, a | 1, a ^ 15, a << 2, a >> 1)
try:
    a + a
except TypeError as e:
    print('TypeError', e)
