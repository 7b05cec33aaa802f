# snippet: containers | dict with non-str keys
# status: fails
# note: gpython's dict only takes str keys (int, tuple or object keys raise KeyError)
codes = {200: 'OK', 404: 'Not Found'}
print(codes[404])
