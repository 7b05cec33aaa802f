# snippet: containers | dict with non-str keys
codes = {200: 'OK', 404: 'Not Found'}
print(codes[404])
