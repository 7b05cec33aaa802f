# snippet: syntax | assignment expressions (:=, Python 3.8)
if (n := 3) > 2:
    print(n)
