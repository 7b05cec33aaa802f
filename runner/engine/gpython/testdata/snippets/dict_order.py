# snippet: containers | dict iteration order (insertion order in CPython)
# status: works
d = {}
d['zebra'] = 1
d['apple'] = 2
d['mango'] = 3
print(list(d), list(d.keys()), d)
