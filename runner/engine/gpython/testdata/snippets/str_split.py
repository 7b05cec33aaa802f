# snippet: str | split/rsplit/splitlines/partition/rpartition
print('a,b,,c'.split(','), ' a  b '.split(), 'a b c'.split(None, 1), 'a,b,c'.rsplit(',', 1))
print('l1\nl2\r\nl3'.splitlines(), 'x\ny\n'.splitlines(True))
print('k=v=w'.partition('='), 'k=v=w'.rpartition('='), 'kv'.partition('='))
