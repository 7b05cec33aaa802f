# snippet: containers | dict iteration order (insertion order in CPython)
# status: differs
# note: gpython's dict is a Go map without insertion order; gowsgi makes every walk over a dict (for, keys(), items(), repr, json) go in sorted key order
d = {}
d['zebra'] = 1
d['apple'] = 2
d['mango'] = 3
print(list(d), list(d.keys()), d)
