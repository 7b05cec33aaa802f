# snippet: classes | super() with no arguments, and super(Cls, self)
class A(object):
    def __init__(self):
        self.log = ['A']
    def hi(self):
        return 'A.hi'
class B(A):
    def __init__(self):
        super().__init__()
        self.log.append('B')
    def hi(self):
        return 'B+' + super(B, self).hi()
class C(B):
    def hi(self):
        return 'C+' + super().hi()
c = C()
print(c.log, c.hi())
