# snippet: exceptions | raise ... from ... and assert messages
try:
    try:
        int('x')
    except ValueError as e:
        raise RuntimeError('wrapped') from e
except RuntimeError as e:
    print('RuntimeError', e)
try:
    assert 1 == 2, 'nope'
except AssertionError as e:
    print('AssertionError', e)
