# snippet: modules | open() for writing
# status: fails
# note: by design: open() is read-only on the gpython engine (PermissionError), and confined to the app directory
with open('/tmp/gowsgi-snippet-out.txt', 'w') as f:
    f.write('x')
