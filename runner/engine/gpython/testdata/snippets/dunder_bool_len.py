# snippet: classes | truthiness through __bool__ and __len__
class Empty(object):
    def __len__(self):
        return 0
class No(object):
    def __bool__(self):
        return False
print(bool(Empty()), bool(No()), 'yes' if Empty() else 'no', not No())
