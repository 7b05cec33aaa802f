# snippet: containers | dict with non-str keys
# status: works
codes = {200: 'OK', 404: 'Not Found'}
print(codes[404])
