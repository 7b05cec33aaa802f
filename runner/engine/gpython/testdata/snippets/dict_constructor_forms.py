# snippet: containers | dict() from pairs, zip, another dict, keywords and both
print(dict(), dict([('a', 1), ('b', 2)]), dict(zip('xyz', range(3))))
base = {'k': 1}
print(dict(base, extra=2), dict(base) is base, dict(base) == base)
print(dict({1: 'a'}), dict([(('m', '/'), 'route')]))
print(type(dict()) is dict, type({}) is dict, isinstance({}, dict), type({}).__name__)
