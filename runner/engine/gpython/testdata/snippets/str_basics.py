# snippet: str | slicing, in, len, *, comparison, replace, ord/chr
t = 'héllo'
print(t[1], t[1:3], t[::-1], t[-1], len(t), 'll' in t, 'ab' * 3, 'a' < 'b', t.replace('l', 'L'), t.replace('l', 'L', 1), ord('é'), chr(233))
