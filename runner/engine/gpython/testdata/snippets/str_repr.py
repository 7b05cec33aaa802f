# snippet: str | repr() of strings with quotes and escapes
print(repr('a'), repr("it's"), repr('say "hi"'), repr('tab\tnl\n'), repr('\x00\x7f'), repr('é'))
