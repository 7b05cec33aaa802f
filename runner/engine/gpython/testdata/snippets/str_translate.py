# snippet: str | str.translate / str.maketrans
# status: fails
# note: str.translate / str.maketrans are not implemented (they need int-keyed dicts)
print('abc'.translate(str.maketrans('ab', 'xy')))
