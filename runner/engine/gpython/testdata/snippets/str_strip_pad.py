# snippet: str | strip variants, zfill/ljust/rjust/center
print(repr('  x  '.strip()), repr('xxaxx'.strip('x')), repr('  x'.lstrip()), repr('x  '.rstrip()))
print('42'.zfill(5), '-42'.zfill(5), 'ab'.ljust(5, '.'), 'ab'.rjust(5), 'ab'.center(6, '*'), 'abc'.center(6))
