# snippet: str | f-strings
# status: fails
# note: f-strings are Python 3.6 syntax; gpython parses 3.4 (SyntaxError at import, with the hint to use --engine cpython)
name = 'x'
print(f'hello {name}')
