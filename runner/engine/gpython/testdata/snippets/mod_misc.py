# snippet: modules | random, uuid, secrets, copy, operator, mimetypes
import random, uuid, secrets, copy, operator, mimetypes
random.seed(1)
print(0 <= random.random() < 1, random.randint(1, 1), len(str(uuid.uuid4())), len(secrets.token_hex(8)))
a = [[1], [2]]; b = copy.deepcopy(a); b[0].append(9)
print(a, b, operator.itemgetter(1)([5, 6]), sorted([{'k': 2}, {'k': 1}], key=operator.itemgetter('k')), mimetypes.guess_type('x.html')[0])
