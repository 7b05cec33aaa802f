# snippet: str | is* predicates
for t in ['abc', 'ABC', 'Abc', '123', 'a1', ' ', '', 'Title Case']:
    print(repr(t), t.isalpha(), t.isdigit(), t.isalnum(), t.isspace(), t.isupper(), t.islower(), t.istitle())
