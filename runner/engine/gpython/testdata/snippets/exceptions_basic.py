# snippet: exceptions | try/except/else/finally, re-raise, messages
def f(x):
    try:
        r = 10 / x
    except ZeroDivisionError as e:
        return 'zde: ' + str(e)
    else:
        return 'ok %.1f' % r
    finally:
        print('finally', x)
print(f(2), f(0))
try:
    try:
        [][1]
    except IndexError:
        raise
except IndexError as e:
    print('reraised', e)
