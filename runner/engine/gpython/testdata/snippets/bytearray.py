# snippet: bytes | bytearray
# status: works
ba = bytearray(b'abc')
ba.append(100)
print(ba)
