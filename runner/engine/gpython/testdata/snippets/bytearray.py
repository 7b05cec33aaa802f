# snippet: bytes | bytearray
# status: fails
# note: bytearray is not implemented by gpython v0.2.0
ba = bytearray(b'abc')
ba.append(100)
print(ba)
