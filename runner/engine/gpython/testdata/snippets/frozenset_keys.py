# snippet: containers | frozenset: hashable, a dict key, equal to a set
fs = frozenset([1, 2])
d = {fs: 'pair'}
print(d[frozenset([2, 1])], fs == {1, 2}, fs | {3}, type(fs | {3}).__name__)
print(frozenset(), len(fs), hash(fs) == hash(frozenset([2, 1])))
