# snippet: str | find/rfind/index/rindex/count/startswith/endswith
t = 'hello world'
print(t.find('o'), t.rfind('o'), t.find('z'), t.index('w'), t.rindex('l'), t.count('l'), t.count('l', 5))
print(t.startswith('he'), t.startswith(('x', 'hel')), t.endswith('ld'), t.endswith(('a', 'b')), t.startswith('world', 6))
try:
    t.index('z')
except ValueError as e:
    print('ValueError:', e)
