# snippet: containers | None, bool, frozenset and nested tuple keys
d = {None: 'none', (1, (2, 3)): 'nested', frozenset([1, 2]): 'fs'}
print(d[None], d[(1, (2, 3))], d[frozenset([2, 1])])
d[False] = 'no'
print(len(d), d.get(0), None in d)
