# snippet: containers | dict comprehensions with tuple and int keys, nested
grid = {(r, c): r * 3 + c for r in range(2) for c in range(3)}
print(grid)
inv = {v: k for k, v in grid.items() if v % 2 == 0}
print(inv)
nested = {n: {m: n * m for m in range(1, 3)} for n in range(1, 3)}
print(nested, nested[2][2])
