# snippet: exceptions | error messages of builtin operations
# status: differs
# note: some builtin error messages are gpython's, not CPython's: `10 // 0` says 'division by zero' (CPython: 'integer division or modulo by zero')
try:
    10 // 0
except ZeroDivisionError as e:
    print(e)
try:
    'abc'[5]
except IndexError as e:
    print(e)
