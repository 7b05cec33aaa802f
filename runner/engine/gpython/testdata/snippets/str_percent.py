# snippet: str | printf-style % with str, int, float, width, %%
print('%s-%d-%.2f-%5s-%-5s|-%03d-%x-%X-%o %%' % ('a', 42, 3.14159, 'r', 'l', 7, 255, 255, 8))
print('%5.1f|%-8.3e|%g|%g' % (3.14159, 12345.678, 0.00001, 123456789.0))
