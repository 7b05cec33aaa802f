# snippet: modules | defaultdict, Counter and OrderedDict with any hashable key, in insertion order
from collections import defaultdict, Counter, OrderedDict
hits = defaultdict(int)
for key in [('GET', '/'), ('GET', '/x'), ('GET', '/')]:
    hits[key] += 1
print(dict(hits), hits[('POST', '/')], len(hits))
groups = defaultdict(list)
for n in [3, 1, 4, 1, 5]:
    groups[n % 2].append(n)
print(sorted(groups.items()), list(groups))
c = Counter([1, 1, 2, 'a'])
print(c[1], c['a'], c.get(3, 0))
od = OrderedDict([('z', 1), ('a', 2)])
od['m'] = 3
print(list(od), list(od.items()))
