# snippet: containers | a dict key that has a method's name
# status: differs
# note: gpython looks a dict's keys up as attributes first, so d.items is the value of d['items'] when that key exists
d = {'items': [1, 2], 'x': 1}
try:
    print(sorted(d.items()))
except TypeError as e:
    print('TypeError')
