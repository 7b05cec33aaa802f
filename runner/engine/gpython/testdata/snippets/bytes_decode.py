# snippet: bytes | bytes.decode with encodings and errors
print(b'h\xc3\xa9'.decode('utf-8'), b'abc'.decode(), b'\xe9'.decode('latin-1'), b'a\xffb'.decode('utf-8', 'replace'), b'a\xffb'.decode('utf-8', 'ignore'))
try:
    b'\xff'.decode('utf-8')
except UnicodeDecodeError as e:
    print('UnicodeDecodeError')
