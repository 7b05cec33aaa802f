# snippet: classes | @property with setter, @staticmethod, @classmethod
class T(object):
    def __init__(self):
        self._v = 1
    @property
    def v(self):
        return self._v
    @v.setter
    def v(self, x):
        self._v = x * 10
    @staticmethod
    def s(a):
        return a + 1
    @classmethod
    def make(cls):
        return cls.__name__
t = T(); t.v = 2
print(t.v, T.s(1), t.s(2), T.make(), t.make())
