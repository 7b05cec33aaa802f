# snippet: modules | re: match/search/fullmatch/sub/findall/split/groups
import re
m = re.match(r'(\w+)-(?P<num>\d+)', 'abc-123 rest')
print(m.group(0), m.group(1), m.group('num'), m.groups(), m.groupdict(), m.span(2))
print(re.search(r'\d+', 'ab 42 c').group(), re.fullmatch(r'[a-z]+', 'abc') is not None, re.match(r'b', 'ab'))
print(re.sub(r'(\d+)', r'<\1>', 'a1b22'), re.sub(r'\s+', ' ', 'a  b\n c'), re.findall(r'\d', 'a1b2'), re.findall(r'(\w)=(\d)', 'a=1 b=2'))
print(re.split(r'[,;]\s*', 'a, b;c'), re.compile(r'^/user/(\d+)$').match('/user/7').group(1), re.sub('x', lambda m: m.group().upper(), 'axbx'))
print(re.match(r'hello', 'HELLO', re.I) is not None, re.escape('a.b'))
