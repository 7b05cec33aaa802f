# snippet: modules | json.dumps (sort_keys, indent, separators) and json.loads
import json
print(json.dumps({'b': [1, 2.5, None, True], 'a': 'é"'}, sort_keys=True))
print(json.dumps({'a': {'b': []}}, indent=2, sort_keys=True))
print(json.dumps([1, 'x'], separators=(',', ':')), json.dumps('é', ensure_ascii=False))
print(json.loads('{"a": [1, 2.0, "x", null, true]}')['a'], json.loads(b'[1]'))
try:
    json.loads('{bad')
except ValueError as e:
    print('ValueError', e)
