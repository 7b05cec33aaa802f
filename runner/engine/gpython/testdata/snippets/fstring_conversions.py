# snippet: str | f-strings with !r, !s and !a
name = 'Zoë'
items = [1, 'two']
print(f'{name!r} {name!s} {name!a} {items!r}')
class P:
    def __repr__(self): return 'P()'
    def __str__(self): return 'a P'
print(f'{P()} {P()!r} {P()!s:>6}|')
