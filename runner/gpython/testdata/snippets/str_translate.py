# snippet: str | str.translate / str.maketrans
print('abc'.translate(str.maketrans('ab', 'xy')))
