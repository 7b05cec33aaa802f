# snippet: containers | sets of bytes or lists
# status: works
s = {b'a', b'b'}
print(len(s))
