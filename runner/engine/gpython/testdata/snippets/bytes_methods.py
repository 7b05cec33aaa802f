# snippet: bytes | bytes join/split/strip/find/startswith/upper/hex
b = b' a,b,c '
print(b.strip(), b.split(b','), b','.join([b'x', b'y']), b.find(b'b'), b.startswith(b' a'), b.upper(), b'ab'.hex(), b'a b'.split())
print(b'key=val'.partition(b'='), b'abcabc'.count(b'b'), b'abc'.replace(b'b', b'B'), bytes.fromhex('6869'))
