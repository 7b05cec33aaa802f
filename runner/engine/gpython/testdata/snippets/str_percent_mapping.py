# snippet: str | % with a mapping: %(name)s
print('%(a)s and %(b)05.1f' % {'a': 'x', 'b': 2.25})
