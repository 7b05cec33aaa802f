# snippet: containers | int keys: a dict of status codes
STATUS = {200: 'OK', 404: 'Not Found', 500: 'Internal Server Error'}
code = 404
print(f'{code} {STATUS[code]}')
print(STATUS.get(418, "I'm a teapot"), 200 in STATUS, len(STATUS))
STATUS[201] = 'Created'
print(list(STATUS), max(STATUS), sorted(STATUS.items())[0])
squares = {n: n * n for n in range(5)}
print(squares, squares[3], sum(squares.values()))
