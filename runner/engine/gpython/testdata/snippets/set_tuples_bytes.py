# snippet: containers | sets of tuples and bytes
seen = {('GET', '/'), ('POST', '/x')}
seen.add(('GET', '/'))
print(len(seen), ('POST', '/x') in seen, sorted(seen))
bs = {b'a', b'b', b'a'}
print(len(bs), b'a' in bs, sorted(bs))
seen.discard(('GET', '/'))
print(sorted(seen))
