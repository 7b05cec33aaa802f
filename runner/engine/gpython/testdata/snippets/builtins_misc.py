# snippet: builtins | reversed, hash, id, dir, repr, ascii, chr/ord, bool
print(list(reversed([1, 2, 3])), ''.join(reversed('abc')), hash('a') == hash('a'), id(1) == id(1), 'append' in dir([]))
print(repr([1, 'a', None, True]), ascii('é'), bool(''), bool(b''), bool([0]), bool(None))
