# snippet: classes | __str__/__repr__/__len__/__getitem__/__contains__/__iter__/__getattr__
class Bag(object):
    def __init__(self, *items):
        self.items = list(items)
    def __str__(self):
        return 'Bag of %d' % len(self.items)
    def __repr__(self):
        return 'Bag(%r)' % (self.items,)
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        return self.items[i]
    def __contains__(self, x):
        return x in self.items
    def __iter__(self):
        return iter(self.items)
    def __getattr__(self, name):
        return 'attr:' + name
b = Bag(1, 2)
print(str(b), repr(b), len(b), b[1], 2 in b, list(b), b.anything, [b])
