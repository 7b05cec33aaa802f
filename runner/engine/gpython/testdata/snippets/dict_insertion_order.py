# snippet: containers | insertion order through deletes, re-inserts and updates
d = {}
for k in ['zeta', 'alpha', 'mid', 'beta']:
    d[k] = len(k)
print(d)
del d['alpha']
d['alpha'] = 0
d['zeta'] = 99
print(list(d), list(d.values()))
print([k for k in d], ', '.join(f'{k}={v}' for k, v in d.items()))
d.pop('mid')
print(d, next(iter(d)))
