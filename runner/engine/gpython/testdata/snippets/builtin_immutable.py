# snippet: classes | setting attributes on builtin types is refused
try:
    str.x = 1
except TypeError:
    print('TypeError')
