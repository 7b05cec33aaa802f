# snippet: classes | in-place operators: __iadd__, and += falling back to __add__
class Bag:
    def __init__(self): self.items = []
    def __iadd__(self, x):
        self.items.append(x)
        return self
class Num:
    def __init__(self, n): self.n = n
    def __add__(self, o): return Num(self.n + o)
b = Bag()
same = b
b += 1
b += 2
print(b.items, b is same)
n = Num(1)
n += 5
print(n.n)
