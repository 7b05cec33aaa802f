# snippet: containers | sets of bytes or lists
# status: fails
# note: gpython's set is a Go map: bytes (and lists) as set members crash inside gpython (gowsgi turns the panic into an error and replaces the context)
s = {b'a', b'b'}
print(len(s))
