# snippet: exceptions | reading a missing attribute of an exception
# status: differs
# note: gpython answers any unknown attribute of an exception object with its args instead of raising AttributeError (hasattr() is fixed by gowsgi)
e = ValueError('x')
print(hasattr(e, 'nope'))
try:
    print(e.nope)
except AttributeError:
    print('AttributeError')
