# snippet: str | str.join over lists and generators
print(', '.join(['a', 'b', 'c']), '-'.join(str(i) for i in range(4)), ''.join([]))
try:
    ','.join(['a', 1])
except TypeError as e:
    print('TypeError:', e)
