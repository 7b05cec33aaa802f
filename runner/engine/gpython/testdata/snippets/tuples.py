# snippet: containers | tuples: count/index, unpacking, star, nesting, repr
t = (1, 2, 2, 3)
a, *rest = t
x, (y, z) = 1, (2, 3)
print(t.count(2), t.index(3), a, rest, x, y, z, (1,), (), ((1, 2),))
