# snippet: containers | walking a dict through sorted()
d = {'zebra': 1, 'apple': 2, 'mango': 3}
for k in sorted(d):
    print(k, d[k])
print(sorted(d.items(), key=lambda kv: kv[1]))
