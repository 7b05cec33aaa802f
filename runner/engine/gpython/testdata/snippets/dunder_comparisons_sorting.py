# snippet: classes | __lt__/__eq__ used by sorted, min, max, in and index
class Version:
    def __init__(self, s): self.parts = tuple(int(p) for p in s.split('.'))
    def __lt__(self, o): return self.parts < o.parts
    def __eq__(self, o): return self.parts == o.parts
    def __hash__(self): return hash(self.parts)
    def __repr__(self): return '.'.join(map(str, self.parts))
vs = [Version('1.10'), Version('1.2'), Version('0.9')]
print(sorted(vs), min(vs), max(vs), Version('1.2') in vs, vs.index(Version('0.9')))
print(sorted(vs, reverse=True), len({Version('1.2'), Version('1.2')}))
