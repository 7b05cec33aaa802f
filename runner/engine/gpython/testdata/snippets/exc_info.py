# snippet: exceptions | sys.exc_info() inside an except block
import sys
try:
    {}['x']
except KeyError:
    t, v, tb = sys.exc_info()
    print(t.__name__, v, tb is not None)
