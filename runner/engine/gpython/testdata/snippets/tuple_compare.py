# snippet: containers | ordering tuples and lists
print((1, 'a') < (1, 'b'), [1, 2] < [1, 3], (1, 2) == (1, 2), sorted([(2, 'b'), (1, 'z'), (2, 'a')]), max([(1, 2), (1, 3)]))
