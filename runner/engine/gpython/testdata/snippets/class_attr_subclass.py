# snippet: classes | class attribute read through a subclass
class Base(object):
    X = 'base'
    def m(self):
        return 'm'
class Sub(Base):
    pass
print(Sub.X, Sub().X, Sub.m(Sub()))
