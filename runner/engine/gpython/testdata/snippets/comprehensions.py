# snippet: containers | list/dict/set comprehensions, nested, conditional
print([x * y for x in range(3) for y in range(2) if x], {str(x): x * x for x in range(3)}, [[j for j in range(i)] for i in range(3)])
