# snippet: containers | fromkeys, copy independence and clear
d = dict.fromkeys(['a', 'b', 'c'], 0)
print(d, dict.fromkeys((1, 2)))
c = d.copy()
c['a'] = 1
print(d['a'], c['a'], c is d, c == d)
c.clear()
print(c, len(c), bool(c), bool(d))
