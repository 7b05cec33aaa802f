# snippet: containers | keys()/values()/items() views: len, in, repr, set operations, live updates
d = {'a': 1, 'b': 2}
k, v, it = d.keys(), d.values(), d.items()
print(k, v, it)
d['c'] = 3
print(len(k), 'c' in k, 3 in v, ('a', 1) in it, ('a', 2) in it)
print(sorted(k & {'a', 'z'}), sorted(k | {'z'}), sorted(k - {'a'}))
print(list(reversed(list(k))), list(it)[0])
