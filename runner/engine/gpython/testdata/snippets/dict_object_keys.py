# snippet: containers | user objects with __eq__/__hash__ as keys, and plain objects by identity
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __eq__(self, other):
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)
    def __hash__(self):
        return hash((self.x, self.y))
    def __repr__(self):
        return 'Point(%d, %d)' % (self.x, self.y)

names = {Point(0, 0): 'origin', Point(1, 2): 'p'}
print(names[Point(0, 0)], names.get(Point(1, 2)), Point(5, 5) in names)
names[Point(0, 0)] = 'zero'
print(names, len(names))

class Token:
    pass
a, b = Token(), Token()
t = {a: 'a', b: 'b'}
print(t[a], t[b], len(t), Token() in t)

class NoHash:
    def __eq__(self, other):
        return True
try:
    {NoHash(): 1}
except TypeError as e:
    print('TypeError', e)
