# snippet: str | f-strings with format specs, nested fields and expressions
x, width, prec = 3.14159, 10, 3
print(f'[{x:.2f}] [{x:{width}.{prec}f}] [{42:05d}] [{255:#x}] [{1234567:,}] [{0.25:.1%}]')
print(f'[{"left":<8}] [{"right":>8}] [{"mid":^9}] [{"pad":*^9}]')
n = 7
print(f'{n} squared is {n * n}, {"even" if n % 2 == 0 else "odd"}, {[i for i in range(n) if i % 3 == 0]}')
print(f'{{literal}} {{{n}}} {len("abc")}')
