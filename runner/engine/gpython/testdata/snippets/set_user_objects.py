# snippet: containers | sets of user objects with __eq__/__hash__
class Tag:
    def __init__(self, name):
        self.name = name.lower()
    def __eq__(self, other):
        return isinstance(other, Tag) and self.name == other.name
    def __hash__(self):
        return hash(self.name)
tags = {Tag('Web'), Tag('web'), Tag('API')}
print(len(tags), Tag('api') in tags, sorted(t.name for t in tags))
