# snippet: containers | dict get/in/del/len/comprehension/dict(a=1)
d = {'a': 1, 'b': 2}
print(d.get('a'), d.get('z'), d.get('z', 0), 'a' in d, len(d), d['b'])
del d['a']
print(d, dict(x=1), {k: v * 2 for k, v in [('p', 1)]}, dict([('k', 'v')]), dict([['k', 'v']]))
