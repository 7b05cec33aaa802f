# snippet: containers | dict setdefault/update/pop/copy/clear/popitem
d = {}
d.setdefault('l', []).append(1)
d.update({'a': 1}, b=2)
d.update([('c', 3)])
e = d.copy()
print(sorted(d.items()), d.pop('a'), d.pop('zz', 'dflt'), sorted(e.keys()))
e.clear()
print(e, len(d))
