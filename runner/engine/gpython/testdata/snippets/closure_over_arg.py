# snippet: functions | closure over a function argument (decorators)
def deco(fn):
    def wrapper(*a, **kw):
        return 'wrapped ' + fn(*a, **kw)
    return wrapper
@deco
def hello(name):
    return 'hi ' + name
print(hello('bob'))
