# snippet: exceptions | str()/repr() of exceptions with 0, 1 or 2 arguments
print(repr(str(ValueError())), repr(ValueError(1)), str(KeyError('k')), str(ValueError('a', 1)), repr(TypeError('x')))
