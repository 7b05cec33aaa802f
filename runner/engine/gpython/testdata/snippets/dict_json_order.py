# snippet: modules | json.dumps keeps insertion order, json.loads builds it; int keys
import json
d = {'zeta': 1, 'alpha': [1, 2], 'mid': {'b': 1, 'a': 2}}
print(json.dumps(d))
print(json.dumps(d, sort_keys=True))
back = json.loads('{"z": 1, "a": {"y": 2, "b": 3}}')
print(back, list(back), isinstance(back, dict))
print(json.dumps({1: 'a', 2.5: 'b', True: 'c', None: 'd'}))
