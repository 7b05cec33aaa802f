# snippet: classes | instances hash by identity unless __eq__ is defined
class A:
    pass
class B:
    def __eq__(self, other):
        return True
a = A()
print(hash(a) == hash(a), {a: 1}[a])
try:
    hash(B())
except TypeError as e:
    print('TypeError', e)
class C(B):
    __hash__ = None
try:
    {C(): 1}
except TypeError as e:
    print('TypeError', e)
