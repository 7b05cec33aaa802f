# snippet: classes | __new__ and __slots__
class S(object):
    __slots__ = ('a',)
    def __new__(cls, *args):
        inst = super().__new__(cls)
        return inst
    def __init__(self, a):
        self.a = a
print(S(5).a)
