# snippet: classes | classes, __init__, methods, class attributes, inheritance
class Animal(object):
    kind = 'animal'
    def __init__(self, name):
        self.name = name
    def speak(self):
        return self.name + ' makes a sound'
class Dog(Animal):
    kind = 'dog'
    def speak(self):
        return self.name + ' barks'
d = Dog('rex')
print(d.speak(), d.kind, Animal.kind, Dog.kind, d.name, isinstance(d, Animal))
