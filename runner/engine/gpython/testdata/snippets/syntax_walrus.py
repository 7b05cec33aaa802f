# snippet: syntax | assignment expressions (:=, Python 3.8)
# status: works
if (n := 3) > 2:
    print(n)
import re
def parse(s):
    if m := re.match(r'(\d+)-(\d+)', s):
        return m.groups()
    return None
print(parse('10-20'), parse('x'))
items, out = iter([1, 2, 3]), []
while (x := next(items, None)) is not None:
    out.append(x * 2)
print(out, [y for v in [1, 7, 9] if (y := v * 10) > 60], (z := 3) + z)
