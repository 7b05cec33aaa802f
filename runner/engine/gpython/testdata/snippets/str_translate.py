# snippet: str | str.translate / str.maketrans
# status: works
print('abc'.translate(str.maketrans('ab', 'xy')))
