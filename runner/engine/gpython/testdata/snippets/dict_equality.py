# snippet: containers | == between dicts with different order, nested, with other types
a = {'x': 1, 'y': [1, 2]}
b = {'y': [1, 2], 'x': 1}
print(a == b, a != b, a == {'x': 1}, {} == {}, {1: 'a'} == {1.0: 'a'})
print({'a': {'b': 1}} == {'a': {'b': 1}}, a == [('x', 1)])
