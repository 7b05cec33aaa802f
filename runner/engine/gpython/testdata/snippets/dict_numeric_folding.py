# snippet: containers | 1, 1.0 and True are one key; -0.0 and 0 too
d = {1: 'int'}
d[1.0] = 'float'
d[True] = 'bool'
print(d, len(d))
e = {0: 'zero', False: 'false', 0.0: 'float zero', 2.5: 'x'}
print(e, e[False], e[2.5])
print({True: 1, 1: 2}, hash(1) == hash(1.0) == hash(True))
