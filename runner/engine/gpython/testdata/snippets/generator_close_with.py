# snippet: functions | close() runs finally blocks and with-statement exits in a generator
class Resource:
    def __enter__(self):
        print('open')
        return self
    def __exit__(self, *exc):
        print('released', exc[0].__name__)
def rows():
    with Resource():
        try:
            yield 1
            yield 2
        finally:
            print('finally')
g = rows()
print(next(g))
g.close()
g.close()
print(list(g))
