# snippet: classes | __getitem__/__setitem__/__delitem__/__contains__/__len__/__iter__
class Registry:
    def __init__(self): self._d = {}
    def __getitem__(self, k): return self._d[k]
    def __setitem__(self, k, v): self._d[k] = v
    def __delitem__(self, k): del self._d[k]
    def __contains__(self, k): return k in self._d
    def __len__(self): return len(self._d)
    def __iter__(self): return iter(self._d)
r = Registry()
r['a'] = 1
r[('GET', '/')] = 2
print(r['a'], r[('GET', '/')], 'a' in r, len(r), list(r))
del r['a']
print(len(r), 'a' in r, bool(r))
