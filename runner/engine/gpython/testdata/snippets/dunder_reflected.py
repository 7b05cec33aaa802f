# snippet: classes | reflected operators: __radd__, __rmul__, __rsub__
class V:
    def __init__(self, n): self.n = n
    def __add__(self, o): return V(self.n + (o.n if isinstance(o, V) else o))
    def __radd__(self, o): return V(o + self.n)
    def __rmul__(self, o): return V(o * self.n)
    def __rsub__(self, o): return V(o - self.n)
    def __repr__(self): return 'V(%r)' % self.n
print(V(1) + V(2), V(1) + 5, 5 + V(1), 3 * V(2), 10 - V(4))
print(sum([V(1), V(2), V(3)]))
