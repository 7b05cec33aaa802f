# snippet: containers | list pop/insert/index/remove/reverse/count/copy/extend/sort
l = [3, 1, 2]
l.append(4); l.insert(0, 9); l.extend([5, 5])
print(l, l.pop(), l.pop(0), l.index(2), l.count(5))
l.remove(5); l.reverse()
c = l.copy(); c.sort()
print(l, c, sorted(l, reverse=True), sorted(['b', 'A', 'c'], key=str.lower))
