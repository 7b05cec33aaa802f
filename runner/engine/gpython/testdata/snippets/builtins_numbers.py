# snippet: builtins | round, divmod, abs, pow, int/float parsing, hex/oct/bin
print(round(2.567, 2), round(2.5), round(3.5), round(-0.5), round(1234, -2), divmod(7, 2), divmod(-7, 2), abs(-3), pow(2, 10), pow(2, 10, 1000))
print(int('42'), int(' 7 '), int('ff', 16), float('1.5'), float('1e3'), hex(255), oct(8), bin(5), 7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 100)
