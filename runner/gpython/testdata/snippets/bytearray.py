# snippet: bytes | bytearray
ba = bytearray(b'abc')
ba.append(100)
print(ba)
