# snippet: syntax | keyword-only parameters with and without defaults
def f(a, *, key, reverse=False):
    return sorted(a, key=key, reverse=reverse)
print(f([3, 1, 2], key=lambda x: -x), f(['b', 'a'], key=str, reverse=True))
try:
    f([1], str)
except TypeError as e:
    print('TypeError')
