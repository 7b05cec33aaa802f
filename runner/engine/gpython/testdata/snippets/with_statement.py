# snippet: classes | with-statement and a context manager class
class CM(object):
    def __enter__(self):
        print('enter')
        return self
    def __exit__(self, t, v, tb):
        print('exit', t.__name__ if t else None)
        return True
with CM() as c:
    raise ValueError('swallowed')
print('after')
