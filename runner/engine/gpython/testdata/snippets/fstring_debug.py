# snippet: str | f-string = debugging (Python 3.8)
x = 10
name = 'gowsgi'
print(f'{x=}', f'{x = }', f'{x=:>5}', f'{name=!s}', f'{x * 2=}')
