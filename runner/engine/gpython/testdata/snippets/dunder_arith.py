# snippet: classes | operator overloading: __add__ on a user class
# status: works
class Money(object):
    def __init__(self, n):
        self.n = n
    def __add__(self, o):
        return Money(self.n + o.n)
print((Money(1) + Money(2)).n)
