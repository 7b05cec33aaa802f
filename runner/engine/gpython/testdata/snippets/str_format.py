# snippet: str | str.format: auto, index, named, attribute, item
class P(object):
    x = 3
print('{} {}'.format(1, 'a'), '{1}{0}'.format('a', 'b'), '{name}!'.format(name='N'))
print('{0.x} {1[k]} {2[1]}'.format(P(), {'k': 'v'}, [5, 6]))
print('{{literal}} {}'.format(1))
