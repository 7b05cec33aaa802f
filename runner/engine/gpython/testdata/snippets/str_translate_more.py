# snippet: str | str.maketrans with deletions and a dict; translate with a dict table
table = str.maketrans('abc', 'xyz', '!')
print('a!b!c!d'.translate(table))
t2 = str.maketrans({'<': '&lt;', '>': '&gt;', '&': None})
print('<a&b>'.translate(t2))
print('hello'.translate({ord('l'): 'L', ord('o'): None}))
