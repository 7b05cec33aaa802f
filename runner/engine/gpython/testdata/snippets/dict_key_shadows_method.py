# snippet: containers | a dict key that has a method's name
# status: works
d = {'items': [1, 2], 'x': 1}
try:
    print(sorted(d.items()))
except TypeError as e:
    print('TypeError')
