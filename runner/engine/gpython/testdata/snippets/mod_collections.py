# snippet: modules | collections namedtuple, defaultdict, deque, OrderedDict
from collections import namedtuple, defaultdict, deque, OrderedDict
P = namedtuple('P', 'x y')
p = P(1, y=2)
print(p, p.x, p[1], p._asdict(), p == (1, 2))
dd = defaultdict(list)
dd['a'].append(1)
print(dict(dd), 'b' in dd, len(dd))
q = deque([1, 2], maxlen=3); q.append(3); q.append(4); q.appendleft(0)
print(list(q), q.pop(), q.popleft())
print(OrderedDict(a=1)['a'])
