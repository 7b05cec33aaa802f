# snippet: containers | list slicing, slice assignment, del, * and +
l = list(range(6))
print(l[1:4], l[::2], l[::-1], l[-2:])
l[1:3] = ['a']
del l[0]
print(l, [0] * 3, [1] + [2])
