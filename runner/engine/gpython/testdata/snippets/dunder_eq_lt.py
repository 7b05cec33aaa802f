# snippet: classes | user __eq__ and __lt__ (==, sorting)
class V(object):
    def __init__(self, n):
        self.n = n
    def __eq__(self, o):
        return isinstance(o, V) and o.n == self.n
    def __lt__(self, o):
        return self.n < o.n
    def __repr__(self):
        return 'V(%d)' % self.n
print(V(1) == V(1), V(1) != V(2), V(1) in [V(1)], sorted([V(3), V(1), V(2)]), max([V(1), V(5)]))
