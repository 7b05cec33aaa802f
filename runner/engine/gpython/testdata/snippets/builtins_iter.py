# snippet: builtins | enumerate/zip/map/filter/sum/min/max/any/all
print(list(enumerate('ab', 1)), list(zip('ab', [1, 2])), list(map(str, [1, 2])), list(filter(None, [0, 1, '', 'x'])))
print(sum([1, 2, 3]), sum([0.5, 0.25], 1), min(3, 1, 2), max('abc'), any([0, 1]), all([]), any([]))
