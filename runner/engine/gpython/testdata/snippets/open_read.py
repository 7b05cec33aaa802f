# snippet: modules | open() a file in the app directory (read-only)
with open('snippkg/data.txt') as f:
    print(repr(f.read()))
with open('snippkg/data.txt', 'rb') as f:
    print(f.readline())
