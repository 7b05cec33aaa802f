# snippet: containers | counting and grouping with get and setdefault
words = 'the cat and the hat and the bat'.split()
counts = {}
for w in words:
    counts[w] = counts.get(w, 0) + 1
print(counts)
by_len = {}
for w in words:
    by_len.setdefault(len(w), []).append(w)
print(by_len)
print(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
