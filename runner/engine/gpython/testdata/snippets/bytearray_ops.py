# snippet: bytes | bytearray: build, mutate, slice, decode, convert
buf = bytearray()
buf += b'hello'
buf.extend(b' world')
buf[0] = ord('H')
print(buf, len(buf), buf[0], buf[1:5], bytes(buf))
print(buf.decode(), buf.upper(), b'ell' in buf, buf == b'Hello world', buf.find(b'o'))
buf[0:5] = b'HOWDY'
print(buf, buf.pop(), buf, bytearray(3), bytearray([65, 66]), isinstance(buf, bytearray))
