# snippet: builtins | float repr and str
print(0.1, 1.0, 1e16, 1e-5, 123456789.123, 1/3, 2.5e-10, -0.0, float('inf'), 3.0 * 1.1)
