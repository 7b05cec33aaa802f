# snippet: containers | adding a key while iterating raises RuntimeError
d = {'a': 1, 'b': 2}
try:
    for k in d:
        d[k + k] = 0
except RuntimeError as e:
    print('RuntimeError', e)
for k in list(d):
    d[k * 3] = 1
print(len(d))
