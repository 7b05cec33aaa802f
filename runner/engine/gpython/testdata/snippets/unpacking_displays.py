# snippet: syntax | unpacking in displays: {**a, **b}, [*a, *b], {*a} (Python 3.5)
defaults = {'host': '127.0.0.1', 'port': 8080}
overrides = {'port': 9000}
config = {**defaults, **overrides, 'debug': False}
print(config, {'first': 1, **defaults})
print([*range(3), *'ab', 9], sorted({*[3, 1], 2}), [*[], *()])
merged = {
    **config,
    'extra': [1,
              2],
}
print(merged)
try:
    {**[1]}
except TypeError as e:
    print('TypeError', e)
