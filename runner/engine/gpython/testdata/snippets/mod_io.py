# snippet: modules | io.BytesIO and io.StringIO
import io
b = io.BytesIO(b'line1\nline2\n')
print(b.readline(), b.read(), b.read())
w = io.BytesIO(); w.write(b'ab'); w.write(b'cd')
print(w.getvalue(), w.tell())
s = io.StringIO(); s.write('x'); print('y', file=s)
print(repr(s.getvalue()), io.StringIO('a\nb').readlines())
