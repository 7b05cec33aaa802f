# snippet: str | f-strings
name = 'x'
print(f'hello {name}')
