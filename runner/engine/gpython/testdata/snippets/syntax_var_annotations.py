# snippet: syntax | variable annotations (x: int = 1, Python 3.6)
# status: fails
# note: variable annotations are Python 3.6 syntax
x: int = 1
print(x)
