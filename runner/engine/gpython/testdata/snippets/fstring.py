# snippet: str | f-strings
# status: works
name = 'x'
print(f'hello {name}')
