# snippet: classes | class decorators and registries
REG = {}
def register(cls):
    REG[cls.__name__] = cls
    return cls
@register
class Thing(object):
    pass
print(sorted(REG), REG['Thing'].__name__)
