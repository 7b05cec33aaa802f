# snippet: bytes | `in` on bytes
print(b'b' in b'abc', b'x' in b'abc', 98 in b'abc')
