# snippet: syntax | underscores in numeric literals (Python 3.6)
print(1_000_000, 0x_ff, 1_0.5, 0b_1010, 1_000 * 2)
