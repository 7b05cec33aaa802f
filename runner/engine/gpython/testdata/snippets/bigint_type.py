# snippet: builtins | big integers and their type
# status: differs
# note: integers beyond 64 bits work (arithmetic, str, json, isinstance(x, int), type(x).__name__) but their type is gpython's bigint, so type(x) is int is False
x = 2 ** 100
print(x, x + 1, str(x)[:5], isinstance(x, int), type(x) is int, type(x).__name__)
