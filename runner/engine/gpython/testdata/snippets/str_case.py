# snippet: str | upper/lower/title/capitalize/swapcase/casefold
t = 'hello wORLD, it\'s 3am'
print(t.upper(), t.lower(), t.title(), t.capitalize(), t.swapcase(), 'ß'.casefold())
