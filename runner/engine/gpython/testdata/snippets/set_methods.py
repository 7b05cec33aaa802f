# snippet: containers | set methods and operators
a, b = {1, 2, 3}, {3, 4}
print(a | b, a & b, a - b, a ^ b)
print(a.union([5]), a.intersection(b, {3}), a.difference([1]), a.symmetric_difference(b))
print({1, 2} <= a, {1, 2} < a, a >= {1}, a.issubset(range(10)), a.isdisjoint({9}))
c = set()
c.update([1, 2], (3,))
c -= {1}
c |= {7}
print(c, len(c), set(), 3 in c)
try:
    c.remove(99)
except KeyError as e:
    print('KeyError', e)
