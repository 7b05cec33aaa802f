# snippet: classes | __call__ and __enter__/__exit__ together
class Timer:
    def __init__(self): self.log = []
    def __call__(self, name):
        self.log.append(name)
        return self
    def __enter__(self):
        self.log.append('enter')
        return self
    def __exit__(self, *exc):
        self.log.append('exit %s' % (exc[0].__name__ if exc[0] else None))
        return True
t = Timer()
with t('block') as same:
    print(same is t)
    raise ValueError('swallowed')
print(t.log)
