# snippet: str | str.encode() / bytes(s, enc)
print('héllo'.encode('utf-8'), 'abc'.encode(), 'abc'.encode('ascii'), 'é'.encode('latin-1'), bytes('x', 'utf-8'))
try:
    'é'.encode('ascii')
except UnicodeEncodeError as e:
    print('UnicodeEncodeError')
