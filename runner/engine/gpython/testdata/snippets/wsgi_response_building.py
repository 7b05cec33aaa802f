# snippet: wsgi | building a response: headers list, encode, Content-Length
body = '<h1>{}</h1>'.format('héllo').encode('utf-8')
headers = [('Content-Type', 'text/html; charset=utf-8'), ('Content-Length', str(len(body)))]
status = '%d %s' % (200, 'OK')
print(status, headers, body)
