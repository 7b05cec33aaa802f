# snippet: bytes | bytes indexing and slicing
b = b'hello'
print(b[0], b[-1], b[1:3], b[::2], b[:0])
