# snippet: str | % with None, lists, objects and %r
class O(object):
    def __str__(self):
        return 'O!'
print('%s %s %s %r %r' % (None, [1, 2], O(), 'q', (1,)))
print('%s' % (1,), '%s' % [1])
