# snippet: syntax | assignment expressions (:=, Python 3.8)
# status: fails
# note: assignment expressions are Python 3.8 syntax
if (n := 3) > 2:
    print(n)
