# snippet: builtins | max/min with key= and default=
words = ['bb', 'a', 'ccc']
print(max(words, key=len), min(words, key=len), max([], default='none'), sorted(words, key=len, reverse=True))
