# snippet: modules | namedtuple instances as tuples
# status: differs
# note: collections.namedtuple and urlparse() results index, unpack and compare like tuples but are not tuple instances
from collections import namedtuple
P = namedtuple('P', 'x y')
p = P(1, 2)
x, y = p
print(x, y, p == (1, 2), isinstance(p, tuple), tuple(p))
