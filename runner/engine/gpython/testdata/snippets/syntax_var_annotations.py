# snippet: syntax | variable annotations (x: int = 1, Python 3.6)
# status: works
x: int = 1
print(x)
