# snippet: bytes | bytes literals, +, ==, len, iteration
b = b'abc'
print(b + b'd', b == b'abc', len(b), list(b), b'' == b'', bytes(3))
