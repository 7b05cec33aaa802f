# snippet: containers | set literals, comprehensions and operations
a = {1, 2, 3}
b = set([2, 3, 4])
print(sorted(a | b), sorted(a & b), sorted(a - b), 2 in a, len({x % 3 for x in range(10)}))
