# snippet: containers | unhashable keys raise TypeError
for key in ([1], {'a': 1}, {1}):
    try:
        {key: 1}
    except TypeError as e:
        print('TypeError', e)
try:
    {}[[1]]
except TypeError as e:
    print('TypeError', e)
