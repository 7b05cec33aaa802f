# snippet: modules | copy.copy and copy.deepcopy of dicts, sets and bytearrays
import copy
d = {('a', 1): [1, 2], 'k': {'n': 1}}
s = copy.copy(d)
deep = copy.deepcopy(d)
s['new'] = 1
deep[('a', 1)].append(3)
print(d, s is d, deep[('a', 1)], d[('a', 1)])
st = {1, 2}
st2 = copy.copy(st)
st2.add(3)
print(sorted(st), sorted(st2))
ba = bytearray(b'ab')
bb = copy.deepcopy(ba)
bb.append(99)
print(ba, bb)
